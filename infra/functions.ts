import argon2 from "argon2/package.json";
import { table } from "./storage.ts";
import { jwtSecret } from "./secrets.ts";

/**
 * What both Lambdas share: Node 24 on Graviton, and the table, the JWT secret and the WebSocket
 * API linked (read through sst's `Resource` by packages/functions/src/config.ts).
 */
export function handlerArgs(handler: string, realtime: sst.aws.ApiGatewayWebSocket): sst.aws.FunctionArgs {
  return {
    handler,
    runtime: "nodejs24.x",
    architecture: "arm64",
    link: [table, jwtSecret, realtime],
    nodejs: {
      // argon2 loads a native binary, which esbuild cannot bundle: SST installs the package next to
      // the bundle instead, at the very version the tests ran against.
      install: { argon2: argon2.version },
    },
  };
}
