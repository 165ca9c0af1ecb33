import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Hono } from "hono";
import { serve, type ServerType } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { createDynamoClients, ensureTable, localDynamoConfig } from "@agorusta/core";
import { createApp } from "@agorusta/functions/app";
import { createDeps, type Deps } from "@agorusta/functions/deps";
import { createWsHandler } from "@agorusta/functions/ws/handler";
import { createApiGatewayPublisher, type ApiGatewayPublisher } from "@agorusta/functions/delivery/publisher";
import { inProcessFanout } from "@agorusta/functions/delivery/fanout";
import { createFileStore, ensureBucket, localS3Config } from "@agorusta/core/attachments";
import { createWsGateway } from "./gateway.ts";
import { startUploadSweep } from "./uploadSweep.ts";

export interface RuntimeOptions {
  dynamoEndpoint: string;
  tableName: string;
  jwtSecret: string;
  /** The embedded S3-compatible store (s3Local.ts) and the bucket to keep files in there; none: no files (benchmarks). */
  s3Endpoint?: string;
  bucket?: string;
  /** 0 picks a free port. */
  port: number;
  hostname?: string;
  /** The built web app (adapter-static output); served at `/` when present. */
  webRoot?: string;
}

export interface Runtime {
  url: string;
  /** The WebSocket gateway, `ws://…/ws`; its `@connections` management API is at `http://…/ws`. */
  wsUrl: string;
  port: number;
  deps: Deps;
  close(): Promise<void>;
}

/** Everything on one port: the web app at `/`, the REST app at `/api`, the WebSocket gateway at `/ws`. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const dynamo = createDynamoClients(localDynamoConfig(options.dynamoEndpoint));
  await ensureTable(dynamo.raw, options.tableName);
  const files = options.s3Endpoint
    ? createFileStore({ bucket: options.bucket ?? "agorusta", config: localS3Config(options.s3Endpoint) })
    : undefined;
  // The publisher posts through the real SDK client to the gateway's `@connections`, whose
  // address is known once the server listens (docs/decisions.md, "Realtime").
  let wsManagementEndpoint = "";
  const accessKeyId = `local-${randomBytes(12).toString("hex")}`;
  // Large audiences are cut into batches as deployed; here the Fanout Lambda's code runs in this
  // process, each batch started at once, so the client keeps sockets for 20 batches in flight.
  let publisher: ApiGatewayPublisher | undefined;
  const fanout = inProcessFanout((batch) => publisher!.deliverBatch(batch));
  const deps = createDeps({
    dynamo,
    tableName: options.tableName,
    jwtSecret: options.jwtSecret,
    files,
    publisher: (db) =>
      (publisher = createApiGatewayPublisher(db, {
        endpoint: () => wsManagementEndpoint,
        region: "local",
        credentials: { accessKeyId, secretAccessKey: "local" },
        fanout,
        maxSockets: 50 * 20,
        // Deployed, 3 s stops a stuck post from holding a Lambda; here the gateway is this very
        // process, and a post slower than that is a busy machine, not a dead peer.
        postTimeoutMs: 30_000,
      })),
  });
  const gateway = createWsGateway({ handler: createWsHandler(deps), path: "/ws", accessKeyId });

  // Mounted (not routed) so the API keeps its own JSON 404 and error handler under the prefix.
  const root = new Hono().mount("/api", createApp(deps).fetch).route("/ws", gateway.management);
  const webRoot = options.webRoot;
  if (webRoot && existsSync(join(webRoot, "index.html"))) {
    root.use("/*", serveStatic({ root: webRoot }));
    // Client-side routes (/servers/…, /invite/…) all load the app shell.
    root.get("/*", serveStatic({ root: webRoot, path: "index.html" }));
  }

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: root.fetch, port: options.port, hostname: options.hostname ?? "127.0.0.1" }, () => resolve(s));
  });
  gateway.attach(server as Server);
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
    close: async () => {
      sweep?.stop();
      // Stop listening first: a browser told "going away" reconnects at once, and a socket
      // accepted during shutdown would hold the server open. Browsers also keep spare HTTP
      // connections open for a while; what has not ended a second after the sockets is cut.
      const stopped = new Promise<void>((r) => server.close(() => r()));
      await fanout.idle();
      await gateway.close();
      const cut = setTimeout(() => (server as Server).closeAllConnections(), 1000);
      await stopped;
      clearTimeout(cut);
    },
  };
}
