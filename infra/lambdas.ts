/**
 * The Lambdas and how they are built, shared by infra/ and scripts/bundle.ts (which reproduces
 * SST's build to measure it). Plain data: no `sst` globals here.
 */
export const lambdaHandlers = {
  api: "packages/functions/src/lambda/api.handler",
  ws: "packages/functions/src/lambda/ws.handler",
  purge: "packages/functions/src/lambda/purge.handler",
  fanout: "packages/functions/src/lambda/fanout.handler",
  expiry: "packages/functions/src/lambda/expiry.handler",
  push: "packages/functions/src/lambda/push.handler",
  searchIndex: "packages/functions/src/lambda/searchIndex.handler",
} as const;

/**
 * esbuild's code splitting (SST's `nodejs.splitting`): what is only ever loaded by a dynamic
 * `import()` goes into chunks of its own beside the bundle, read and compiled only when a request
 * first needs it (the SDK's credential providers other than the environment's, the clients of S3,
 * SQS, Lambda and API Gateway's `@connections`), instead of at every cold start
 * (docs/performance.md, "Bundles").
 */
export const lambdaSplitting = true;

/** Graviton: 20% cheaper per GB-second than x86_64, and argon2 ships a linux-arm64 binary. */
export const lambdaArchitecture: "arm64" | "x86_64" = "arm64";

/**
 * The functions that hash passwords and so load argon2's native binary, which esbuild cannot
 * bundle. Only the API does; the WebSocket handler and the queue consumers never load argon2.
 */
export const lambdasWithArgon2: readonly (keyof typeof lambdaHandlers)[] = ["api"];

/**
 * argon2's prebuilt binary for a Lambda of `arch` (Amazon Linux: linux, glibc), as installed here,
 * and where a deployed function gets it (SST's `copyFiles`, relative to the function's root):
 * `prebuilds/<platform>-<arch>/` beside the bundle, which is where argon2's loader (node-gyp-build,
 * bundled with argon2's code) looks, from the bundle's directory. The one binary instead of
 * `nodejs.install`'s whole package (every platform's prebuilds, its C sources, a compile of it
 * for the deploying machine: 590 KiB zipped, which kept the API over 1 MiB): docs/decisions.md,
 * "Lambdas under 1 MiB".
 */
export function argon2Prebuild(name: keyof typeof lambdaHandlers, arch: "arm64" | "x86_64" = lambdaArchitecture) {
  const [dir, file] = arch === "arm64" ? ["linux-arm64", "argon2.armv8.glibc.node"] : ["linux-x64", "argon2.glibc.node"];
  const handlerDir = lambdaHandlers[name].slice(0, lambdaHandlers[name].lastIndexOf("/"));
  return { from: `node_modules/argon2/prebuilds/${dir}/${file}`, to: `${handlerDir}/prebuilds/${dir}/${file}` };
}

/**
 * Files copied beside a Lambda's bundle (SST's `copyFiles`): what it reads at run time but does not
 * import. argon2's binary, for the functions that hash. (The `/docs` page's script, which the API
 * used to carry, is the web app's: packages/functions/src/http/apiReference.ts.)
 */
export const lambdaCopiedFiles = (name: keyof typeof lambdaHandlers, arch: "arm64" | "x86_64" = lambdaArchitecture) =>
  lambdasWithArgon2.includes(name) ? [argon2Prebuild(name, arch)] : [];

/**
 * Packages left out of every bundle and not installed: reachable only through a dynamic import
 * that never runs. hono-openapi's schema converter (`@standard-community/standard-json`) can load
 * a converter for each schema library, zod's among them; ours are valibot's, so zod's never
 * loads, but zod is installed (Scalar's packages use it) and esbuild would bundle its 420 KiB
 * into the API.
 */
export const lambdaNeverLoaded = ["zod"] as const;
