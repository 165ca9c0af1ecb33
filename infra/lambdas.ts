/**
 * The Lambdas and how they are built, shared by infra/ and scripts/bundle.ts (which reproduces
 * SST's build to measure it). Plain data: no `sst` globals here.
 */
export const lambdaHandlers = {
  api: "packages/functions/src/lambda/api.handler",
  ws: "packages/functions/src/lambda/ws.handler",
  purge: "packages/functions/src/lambda/purge.handler",
} as const;

/** Graviton: 20% cheaper per GB-second than x86_64, and argon2 ships a linux-arm64 binary. */
export const lambdaArchitecture = "arm64";
