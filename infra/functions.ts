import argon2 from "argon2/package.json";
import { table } from "./storage.ts";
import { jwtSecret, vapidKey } from "./secrets.ts";
import { connectionExpiries, purgeQueue, pushQueue } from "./queues.ts";
import { files } from "./files.ts";
import { lambdaArchitecture, lambdaCopiedFiles, lambdaHandlers, lambdaInstalls, lambdaNeverLoaded } from "./lambdas.ts";
import { iamDynamoActions } from "../packages/functions/src/lambda/permissions.ts";

/**
 * What both Lambdas share: Node 24 on Graviton, and the table, the JWT secret and the WebSocket
 * API linked (read through sst's `Resource` by packages/functions/src/config.ts). The table's link
 * carries its name only (infra/storage.ts); each Lambda is granted just the DynamoDB actions it
 * uses, on the table and its indexes (packages/functions/src/lambda/permissions.ts). The WebSocket
 * API's link grants `execute-api:ManageConnections` on its `@connections`, which both post to. The
 * files bucket is linked to the API Lambda only: the WebSocket Lambda never signs or touches a file.
 */
export function handlerArgs(
  name: keyof typeof lambdaHandlers,
  realtime: sst.aws.ApiGatewayWebSocket,
  extra: {
    /** Variables of its own (the API's CORS origin). */
    environment?: Record<string, $util.Input<string>>;
    /** The Fanout Lambda, for the functions that hand large audiences to it (linking grants the invoke). */
    fanout?: sst.aws.Function;
  } = {},
): sst.aws.FunctionArgs {
  const argon2Installed = lambdaInstalls[name].includes("argon2");
  return {
    handler: lambdaHandlers[name],
    runtime: "nodejs24.x",
    architecture: lambdaArchitecture,
    // The purge queue: the API enqueues deleted servers, the purge consumer the next slice of one.
    // The files bucket: the API's, and the purge's (a deleted server's attachments and icons go too).
    // The WebSocket and Fanout Lambdas touch neither. The connection-expiry queue: the WebSocket
    // Lambda schedules closes on it, its consumer the next hop of a long wait.
    link: [
      table, jwtSecret, realtime,
      ...(name === "api" || name === "purge" ? [files, purgeQueue] : []),
      ...(name === "ws" || name === "expiry" ? [connectionExpiries] : []),
      // Push: the API queues new messages and serves the public key; the consumer signs and sends.
      ...(name === "api" || name === "push" ? [pushQueue, vapidKey] : []),
      ...(extra.fanout ? [extra.fanout] : []),
    ],
    permissions: [{ actions: iamDynamoActions(name), resources: [table.arn, $interpolate`${table.arn}/index/*`] }],
    nodejs: {
      // argon2 loads a native binary, which esbuild cannot bundle: SST installs the package next to
      // the bundle instead, at the very version the tests ran against — only where it is used.
      install: argon2Installed ? { argon2: argon2.version } : {},
      esbuild: { external: [...lambdaNeverLoaded] },
    },
    // What it reads but does not import (the API's `/docs` script): copied beside its code.
    copyFiles: [...(lambdaCopiedFiles[name] ?? [])],
    // That install runs argon2's install script, which cannot load the arm64 binary on an x86-64
    // (or macOS) machine and so compiles one for that machine into build/Release, where
    // node-gyp-build looks first. This makes it load the shipped linux-arm64 prebuild instead
    // (docs/decisions.md, "SST"; checked by `npm run bundle`). Under `sst dev` the function runs
    // on this machine, with its own install.
    environment: {
      ...extra.environment,
      ...($dev || !argon2Installed ? {} : { PREBUILDS_ONLY: "1" }),
      // `AGORUSTA_RATE_LIMITS=off npx sst deploy --stage load` deploys a stage for load tests,
      // without the abuse limits (the brute-force ones always hold); any other stage keeps them.
      AGORUSTA_RATE_LIMITS: process.env.AGORUSTA_RATE_LIMITS?.trim().toLowerCase() === "off" ? "off" : "on",
    },
  };
}
