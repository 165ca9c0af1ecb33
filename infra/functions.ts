import argon2 from "argon2/package.json";
import { table } from "./storage.ts";
import { jwtSecret, vapidKey } from "./secrets.ts";
import { connectionExpiries, purgeQueue, pushQueue } from "./queues.ts";
import { files } from "./files.ts";
import { lambdaArchitecture, lambdaCopiedFiles, lambdaHandlers, lambdasWithArgon2, lambdaNeverLoaded, lambdaSplitting } from "./lambdas.ts";
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
  const hashes = lambdasWithArgon2.includes(name);
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
      // Deployed, argon2's code is bundled and its one linux binary copied beside it (`copyFiles`
      // below; docs/decisions.md, "Lambdas under 1 MiB"). Under `sst dev` the function runs on this
      // machine, which needs its own binary: there SST installs the package next to the bundle, at
      // the very version the tests ran against.
      install: $dev && hashes ? { argon2: argon2.version } : {},
      esbuild: { external: [...lambdaNeverLoaded] },
      // What only a dynamic import loads goes into chunks of its own, loaded at first use.
      splitting: lambdaSplitting,
    },
    // What it reads but does not import: argon2's binary for the functions that hash.
    copyFiles: lambdaCopiedFiles(name),
    environment: {
      ...extra.environment,
      // `AGORUSTA_RATE_LIMITS=off npx sst deploy --stage load` deploys a stage for load tests,
      // without the abuse limits (the brute-force ones always hold); any other stage keeps them.
      AGORUSTA_RATE_LIMITS: process.env.AGORUSTA_RATE_LIMITS?.trim().toLowerCase() === "off" ? "off" : "on",
    },
  };
}
