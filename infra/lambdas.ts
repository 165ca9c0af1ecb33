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

/** Graviton: 20% cheaper per GB-second than x86_64, and argon2 ships a linux-arm64 binary. */
export const lambdaArchitecture = "arm64";

/**
 * Packages left out of a Lambda's bundle and installed beside it (SST's `nodejs.install`), per
 * function: argon2 loads a native binary, which esbuild cannot bundle. Only the API hashes
 * passwords; the WebSocket handler never loads argon2, so it does not carry it.
 */
export const lambdaInstalls: Record<keyof typeof lambdaHandlers, readonly "argon2"[]> = {
  api: ["argon2"],
  ws: [],
  // Deletes what a retired server left; it never hashes a password either.
  purge: [],
  fanout: [],
  expiry: [],
  push: [],
  searchIndex: [],
};

/**
 * Files copied beside a Lambda's bundle (SST's `copyFiles`): what it reads at run time but does not
 * import. None now: the `/docs` page's script, which the API used to carry, is the web app's
 * (packages/functions/src/http/apiReference.ts).
 */
export const lambdaCopiedFiles: Partial<Record<keyof typeof lambdaHandlers, readonly { from: string; to: string }[]>> = {};

/**
 * Packages left out of every bundle and not installed: reachable only through a dynamic import
 * that never runs. hono-openapi's schema converter (`@standard-community/standard-json`) can load
 * a converter for each schema library, zod's among them; ours are valibot's, so zod's never
 * loads, but zod is installed (Scalar's packages use it) and esbuild would bundle its 420 KiB
 * into the API.
 */
export const lambdaNeverLoaded = ["zod"] as const;
