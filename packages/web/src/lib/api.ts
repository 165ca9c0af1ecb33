/**
 * The one typed client for the REST API: Hono's `hc` over the app's own type, so a route that
 * changes shape breaks the web app's typecheck instead of the running app. Only the TYPE of the
 * app is imported: no server code reaches the browser bundle. Free of SvelteKit imports, so the
 * end-to-end tests drive the API with this very client.
 */
import { hc, type ClientResponse } from "hono/client";
import type { AppType } from "@agorusta/functions/app";
import type { ErrorCode, ErrorBody, Issue } from "@agorusta/core/errors";

/** A failed request, in the contract's error shape (or a network failure, as `network`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | "network";
  readonly issues: Issue[];

  constructor(status: number, code: ErrorCode | "network", message: string, issues: Issue[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

export interface ClientOptions {
  baseUrl: string;
  /** Read at each request, so a login or logout takes effect without rebuilding the client. */
  token: () => string | null;
  fetch?: typeof fetch;
}

export function createClient(options: ClientOptions) {
  return encodingParams(
    hc<AppType>(options.baseUrl, {
      fetch: options.fetch,
      headers: (): Record<string, string> => {
        const token = options.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    }),
  );
}

/**
 * Hono's client puts `param` values into the path as they are: an id holding `/`, `?`, `#` or
 * `..` would reach another route (`../../auth/logout`). This wraps the client (a tree of
 * proxies, one per path segment) so every call's `param` values are URI-encoded first, once,
 * whichever route it is.
 */
function encodingParams<T extends object>(node: T): T {
  return new Proxy(node, {
    get: (target, key) => {
      const next: unknown = Reflect.get(target, key);
      return (typeof next === "function" || (typeof next === "object" && next !== null)) ? encodingParams(next) : next;
    },
    apply: (target, self, args: unknown[]) => {
      const [input, ...rest] = args as [{ param?: Record<string, unknown> } | undefined, ...unknown[]];
      const param = input?.param;
      const encoded = param
        ? { ...input, param: Object.fromEntries(Object.entries(param).map(([k, v]) => [k, encodeURIComponent(String(v))])) }
        : input;
      return Reflect.apply(target as (...a: unknown[]) => unknown, self, [encoded, ...rest]);
    },
  });
}

export type Client = ReturnType<typeof createClient>;

/** Success bodies only: what `call` resolves to for a given request. */
type Success<R> = R extends ClientResponse<infer T, infer S, infer F>
  ? S extends 200 | 201 ? (F extends "json" ? T : never) : S extends 204 ? undefined : never
  : never;

/**
 * Awaits a request made with the client and returns its typed success body, or throws an
 * `ApiError` carrying the contract's code, message and field issues. `onUnauthorized` runs when
 * the API refuses the token (expired, or signed with a secret that changed since).
 */
export async function call<R extends ClientResponse<unknown, number, string>>(
  request: Promise<R>,
  onUnauthorized?: () => void,
): Promise<Success<R>> {
  let res: R;
  try {
    res = await request;
  } catch {
    throw new ApiError(0, "network", "Cannot reach Agorusta. Check your connection and try again.");
  }
  if (res.status === 204) return undefined as Success<R>;
  const body: unknown = await res.json().catch(() => null);
  if (res.ok) return body as Success<R>;
  const error = (body as Partial<ErrorBody> | null)?.error;
  if (res.status === 401 && error?.code === "unauthorized") onUnauthorized?.();
  throw new ApiError(
    res.status,
    error?.code ?? "internal",
    error?.message ?? `The server answered ${res.status}.`,
    error?.issues ?? [],
  );
}
