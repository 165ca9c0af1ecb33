/**
 * A stand-in for an object of async methods (a queue, the file store), built at its first call
 * from a module loaded then: with code splitting (infra/lambdas.ts `lambdaSplitting`) the module
 * and the SDK client it brings are a chunk of their own, so a cold start whose requests never
 * call it neither reads nor compiles them (docs/performance.md, "Bundles"). `known` answers
 * without loading (plain properties such as a bucket's name).
 */
type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : T[K] };

export function atFirstCall<T extends object>(load: () => Promise<T>, known: Partial<T> = {}): T {
  let loading: Promise<T> | undefined;
  // A failed load (a chunk missing from the upload) is tried again at the next call, not remembered.
  const loaded = () => (loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  }));
  return new Proxy(known as AsyncMethods<T> & object, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof typeof target];
      // Not a thenable: `await` on the stand-in gives the stand-in.
      if (prop === "then") return undefined;
      return async (...args: unknown[]) => {
        const real = (await loaded()) as Record<PropertyKey, unknown>;
        const method = real[prop];
        if (typeof method !== "function") throw new TypeError(`${String(prop)} is not a method of what atFirstCall loaded`);
        return method.apply(real, args);
      };
    },
  }) as T;
}
