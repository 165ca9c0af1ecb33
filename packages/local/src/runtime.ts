import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import { serve, type ServerType } from "@hono/node-server";
import { serveStatic } from "@hono/node-server/serve-static";
import { createDynamoClients, localDynamoConfig } from "@agorusta/core";
import { createApp } from "@agorusta/functions/app";
import { createDeps, type Deps } from "@agorusta/functions/deps";
import { ensureTable } from "./dynamoLocal.ts";

export interface RuntimeOptions {
  dynamoEndpoint: string;
  tableName: string;
  jwtSecret: string;
  /** 0 picks a free port. */
  port: number;
  hostname?: string;
  /** The built web app (adapter-static output); served at `/` when present. */
  webRoot?: string;
}

export interface Runtime {
  url: string;
  port: number;
  deps: Deps;
  close(): Promise<void>;
}

/** Everything on one port: the web app at `/`, the REST app at `/api`. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const dynamo = createDynamoClients(localDynamoConfig(options.dynamoEndpoint));
  await ensureTable(dynamo.raw, options.tableName);
  const deps = createDeps({ dynamo, tableName: options.tableName, jwtSecret: options.jwtSecret });

  // Mounted (not routed) so the API keeps its own JSON 404 and error handler under the prefix.
  const root = new Hono().mount("/api", createApp(deps).fetch);
  const webRoot = options.webRoot;
  if (webRoot && existsSync(join(webRoot, "index.html"))) {
    root.use("/*", serveStatic({ root: webRoot }));
    // Client-side routes (/servers/…, /invite/…) all load the app shell.
    root.get("/*", serveStatic({ root: webRoot, path: "index.html" }));
  }

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: root.fetch, port: options.port, hostname: options.hostname ?? "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const host = options.hostname && options.hostname !== "0.0.0.0" ? options.hostname : "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    deps,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
