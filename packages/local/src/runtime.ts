import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { createServer } from "node:http";
import { Hono } from "hono";
import { getRequestListener } from "@hono/node-server";
import { createDb, createDynamoClients, ensureTable, localDynamoConfig } from "@agorusta/core";
import { createApp } from "@agorusta/functions/app";
import { createDeps, type Deps } from "@agorusta/functions/deps";
import { createWsHandler } from "@agorusta/functions/ws/handler";
import { createApiGatewayPublisher, type ApiGatewayPublisher } from "@agorusta/functions/delivery/publisher";
import { inProcessFanout } from "@agorusta/functions/delivery/fanout";
import { dynamoActions, type LambdaName } from "@agorusta/functions/lambda/permissions";
import { jwtScope } from "@agorusta/functions/lambda/stage";
import { webSecurityHeaders } from "@agorusta/functions/http/securityHeaders";
import { createFileStore, ensureBucket, localS3Config } from "@agorusta/core/attachments";
import { createWsGateway } from "./gateway.ts";
import { webApp } from "./webApp.ts";
import { createPurgeWorker, type PurgeWorker, type PurgeWorkerOptions } from "./purgeWorker.ts";
import { createExpiryWorker, type ExpiryWorker } from "./expiryWorker.ts";
import { createPushWorker, type PushWorker } from "./pushWorker.ts";
import { newVapidPrivateKey, vapidKeysFrom, type PushSetup } from "@agorusta/functions/push/setup";
import { createPushSender } from "@agorusta/functions/push/transport";
import type { UsageLimits } from "@agorusta/core/limits";
import { startUploadSweep } from "./uploadSweep.ts";
import { answerUnroutable, requestErrors } from "./httpEdges.ts";
import { listening } from "./listening.ts";
import { startSearchWorker, type SearchWorker } from "./searchWorker.ts";
import type { S3Local } from "./s3Local.ts";

export interface RuntimeOptions {
  dynamoEndpoint: string;
  tableName: string;
  jwtSecret: string;
  /** The embedded S3-compatible store (s3Local.ts: its address and the credentials it accepts) and the bucket to keep files in there; none: no files (benchmarks). */
  s3?: Pick<S3Local, "endpoint" | "credentials">;
  bucket?: string;
  /** 0 picks a free port. */
  port: number;
  hostname?: string;
  /** The built web app (adapter-static output); served at `/` when present. */
  webRoot?: string;
  /** The background purge of deleted servers (tests hold it back or cut it short). */
  purge?: PurgeWorkerOptions;
  /** The abuse limits (api.md "Limits"), or "off" (`AGORUSTA_RATE_LIMITS=off npm start`); on by default. */
  usageLimits?: UsageLimits | "off";
  /**
   * Message search's indexer (on by default, as under `npm start`). Tests of other things leave it
   * off, and their table without a stream (core store/table.ts `TableOptions`).
   */
  search?: boolean;
  /**
   * Deciding and sending Web Push for new messages (on by default, as under `npm start`). The send
   * benchmark leaves it off: deployed it is the push queue's own Lambda, never a part of a send,
   * and here it would share the send's cores (docs/performance.md, "Session 10"). Off, a send
   * queues no push.
   */
  push?: boolean;
  /** The VAPID private key (base64url; `npm start` keeps one in `.data/`); none: a fresh one for this run (tests). */
  vapidPrivateKey?: string;
}

export interface Runtime {
  url: string;
  /** The WebSocket gateway, `ws://…/ws`; its `@connections` management API is at `http://…/ws`. */
  wsUrl: string;
  port: number;
  deps: Deps;
  /** Purges deleted servers in the background, resuming at start what a previous run left unfinished. */
  purges: PurgeWorker;
  /** Sends Web Push in the background, as the push queue's consumer does deployed. */
  pushes: PushWorker;
  /** Indexes messages for search from the table's stream, and at start what was stored before; null when `search` is off. */
  search: SearchWorker | null;
  close(): Promise<void>;
}

/** Everything on one port: the web app at `/`, the REST app at `/api`, the WebSocket gateway at `/ws`. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  // Each Lambda's own client, refusing what its role is not granted deployed (lambda/permissions.ts).
  const clientFor = (lambda: LambdaName) =>
    createDynamoClients(localDynamoConfig(options.dynamoEndpoint), { allowedActions: dynamoActions[lambda] });
  const api = clientFor("api");
  const searching = options.search !== false;
  await ensureTable(createDynamoClients(localDynamoConfig(options.dynamoEndpoint)).raw, options.tableName, { stream: searching });
  // The search indexer: deployed, the stream Lambda's actions on the table; here its stream reader
  // and the backfill's Scan too, which no deployed Lambda is granted (docs/search.md).
  const indexer = createDynamoClients(localDynamoConfig(options.dynamoEndpoint));
  const search = searching
    ? startSearchWorker({
        db: createDb(indexer.document, options.tableName),
        dynamo: indexer,
        dynamoConfig: localDynamoConfig(options.dynamoEndpoint),
        tableName: options.tableName,
      })
    : null;
  const files = options.s3
    ? createFileStore({ bucket: options.bucket ?? "agorusta", config: localS3Config(options.s3.endpoint, options.s3.credentials) })
    : undefined;
  // The publisher posts through the real SDK client to the gateway's `@connections`, whose
  // address is known once the server listens (docs/decisions.md, "Realtime").
  let wsManagementEndpoint = "";
  // The publisher's SigV4 credentials, made up per start: the gateway's `@connections` accepts only them.
  const credentials = { accessKeyId: `local-${randomBytes(12).toString("hex")}`, secretAccessKey: randomBytes(32).toString("base64url") };
  // Large audiences are cut into batches as deployed; here the Fanout Lambda's code runs in this
  // process (on the REST side's publisher), each batch started at once, so the clients keep
  // sockets for 20 batches in flight.
  let batchPublisher: ApiGatewayPublisher | undefined;
  const fanout = inProcessFanout((batch) => batchPublisher!.deliverBatch(batch));
  // Push endpoints on this machine (a test's push service) are allowed here, and only here.
  const push: PushSetup = { vapid: vapidKeysFrom(options.vapidPrivateKey ?? newVapidPrivateKey(), "mailto:agorusta@localhost"), endpoints: "local" };
  const depsFor = (dynamo: ReturnType<typeof clientFor>, withFiles: boolean, purgeQueue?: PurgeWorker, expiryQueue?: ExpiryWorker, pushQueue?: PushWorker) =>
    createDeps({
      dynamo,
      tableName: options.tableName,
      jwtSecret: options.jwtSecret,
      // The API is mounted under /api below: webhook URLs name it.
      apiPath: "/api",
      ...(options.usageLimits ? { usageLimits: options.usageLimits } : {}),
      // As deployed, only the REST Lambda has the bucket.
      ...(withFiles && files ? { files } : {}),
      jwt: jwtScope("agorusta", "local"),
      publisher: (db) => {
        const publisher = createApiGatewayPublisher(db, {
          endpoint: () => wsManagementEndpoint,
          region: "local",
          credentials,
          fanout,
          maxSockets: 50 * 20,
          // Deployed, 3 s stops a stuck post from holding a Lambda; here the gateway is this very
          // process, and a post slower than that is a busy machine, not a dead peer.
          postTimeoutMs: 30_000,
        });
        batchPublisher ??= publisher;
        return publisher;
      },
      ...(purgeQueue ? { purges: () => purgeQueue } : {}),
      ...(expiryQueue ? { expiries: () => expiryQueue } : {}),
      ...(pushQueue ? { pushes: () => pushQueue } : {}),
      push,
    });
  // The purge runs in-process with the purge Lambda's own client (and the bucket), as deployed.
  const purges = createPurgeWorker(depsFor(clientFor("purge"), true), options.purge);
  await purges.resume();
  // Pushes are decided and sent in-process with the push Lambda's own client, as deployed.
  const pushes = createPushWorker({ db: depsFor(clientFor("push"), false).db, sender: createPushSender(push) });
  const deps = depsFor(api, true, purges, undefined, options.push === false ? undefined : pushes);
  // Sockets are closed at their token's expiry in-process, with the expiry Lambda's own client, as deployed.
  const expiries = createExpiryWorker(depsFor(clientFor("expiry"), false));
  const wsDeps = depsFor(clientFor("ws"), false, undefined, expiries);
  const gateway = createWsGateway({ handler: createWsHandler(wsDeps), path: "/ws", credentials });

  // Mounted (not routed) so the API keeps its own JSON 404 and error handler under the prefix.
  // Every answer (pages, assets, the API, errors) carries the web app's headers. The app calls its
  // own origin, and the file store's for uploads and files (signed URLs on its own port).
  const fileOrigins = options.s3 ? [new URL(options.s3.endpoint).origin] : [];
  const headers = webSecurityHeaders({ connectTo: fileOrigins, imagesFrom: fileOrigins });
  const root = new Hono()
    .use(async (c, next) => {
      await next();
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
    })
    .mount("/api", createApp(deps).fetch);
  const webRoot = options.webRoot;
  if (webRoot && existsSync(join(webRoot, "index.html"))) root.route("/", webApp(webRoot));

  // @hono/node-server's listener on a server of our own (its `serve` takes no error handler): a
  // request it cannot read, and one without a Host, are answered in the contract's JSON (httpEdges.ts).
  const hostname = options.hostname ?? "127.0.0.1";
  const server = createServer({ requireHostHeader: false }, getRequestListener(root.fetch, { hostname, errorHandler: requestErrors(headers) }));
  await listening(server, options.port, hostname);
  gateway.attach(server);
  answerUnroutable(server, headers);
  const { port } = server.address() as AddressInfo;
  const host = options.hostname && options.hostname !== "0.0.0.0" ? options.hostname : "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  wsManagementEndpoint = `${url}/ws`;
  // The browser PUTs and GETs files on the store's own origin: let the web app's origins do so.
  if (files) await ensureBucket(files, [...new Set([url, `http://localhost:${port}`])]);
  const sweep = files ? startUploadSweep(files) : undefined;
  return {
    url,
    wsUrl: `${url.replace(/^http/, "ws")}/ws`,
    port,
    deps,
    purges,
    pushes,
    search,
    close: async () => {
      sweep?.stop();
      // Stop listening first: a browser told "going away" reconnects at once, and a socket
      // accepted during shutdown would hold the server open. Browsers also keep spare HTTP
      // connections open for a while; what has not ended a second after the sockets is cut.
      const stopped = new Promise<void>((r) => server.close(() => r()));
      await fanout.idle();
      await pushes.idle();
      await expiries.close();
      await gateway.close();
      await purges.close();
      await search?.close();
      const cut = setTimeout(() => server.closeAllConnections(), 1000);
      await stopped;
      clearTimeout(cut);
    },
  };
}
