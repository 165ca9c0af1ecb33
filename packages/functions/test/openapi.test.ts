/**
 * The OpenAPI document (api.md "OpenAPI"): every route the app serves is in it and every
 * operation in it is served, each with a summary, a tag and who may call it; it validates as
 * OpenAPI 3.1; its request schemas are the ones the routes validate with (core/schemas.ts);
 * `/docs` renders it with a script the web app serves (never a CDN, never the API Lambda).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import { toJsonSchema } from "@valibot/to-json-schema";
import { id, registerBody } from "@agorusta/core/schemas";
import { createApp } from "@agorusta/functions/app";
import { testApi, type TestApi } from "@agorusta/testing";
import { apiReferenceScriptFromEntry, apiReferenceScriptPath } from "@agorusta/functions/http/apiReference";
import { webApp } from "@agorusta/local/webApp";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

type Operation = {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: { properties: Record<string, Record<string, unknown>> } }> };
  responses: Record<string, unknown>;
};
type Document = {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, string>> };
};
type App = ReturnType<typeof createApp>;

/** The web app's build (`npm run build:web`), which serves the `/docs` page's script. */
const webBuild = fileURLToPath(new URL("../../web/build", import.meta.url));

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

/** "METHOD /path" of each route the app serves: its `app.routes` but the middleware (`use`, method ALL), with Hono's `:id` as OpenAPI's `{id}`. */
const served = (app: App) =>
  new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path.replace(/:([^/{?]+)/g, "{$1}")}`));
const documented = (doc: Document) =>
  new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`)));
const missingFrom = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

async function documentOf(app: App): Promise<Document> {
  const res = await app.request("/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  return (await res.json()) as Document;
}

let t: TestApi;
let doc: Document;
beforeAll(async () => {
  t = await testApi();
  doc = await documentOf(t.app);
});

const operation = (method: string, path: string) => {
  const op = doc.paths[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
  return op;
};

describe("GET /openapi.json", () => {
  it("documents every route the app serves, and serves every route it documents", () => {
    const routes = served(t.app);
    // The contract's routes are there, the alias included (a sample, against an empty set passing).
    for (const route of ["POST /auth/register", "GET /health", "GET /servers/{id}", "POST /webhooks/{wid}/{token}", "POST /v10/webhooks/{wid}/{token}", "GET /openapi.json", "GET /docs"]) {
      expect(routes, route).toContain(route);
    }
    expect(missingFrom(routes, documented(doc)), "served but not documented").toEqual([]);
    expect(missingFrom(documented(doc), routes), "documented but not served").toEqual([]);
  });

  it("a route added without a description is caught: it is not in the document", async () => {
    const app = createApp(t.deps);
    // Before the document is first asked for, which is when it is generated.
    app.get("/undocumented", (c) => c.body(null, 204));
    expect(missingFrom(served(app), documented(await documentOf(app)))).toEqual(["GET /undocumented"]);
  });

  it("gives every operation a summary, a tag, who may call it and its answers, errors in the contract's body", () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(op.summary, name).toEqual(expect.any(String));
        expect(op.tags, name).toHaveLength(1);
        expect(op.security, name).toBeInstanceOf(Array);
        expect(Object.keys(op.responses).some((s) => /^2/.test(s)), name).toBe(true);
        expect(op.responses["404"], name).toEqual({ $ref: "#/components/responses/Error404" });
      }
    }
    const error = (doc.components as unknown as { schemas: Record<string, { properties: Record<string, { properties: Record<string, unknown>; required: string[] }> }> }).schemas.Error!;
    expect(error.properties.error!.required).toEqual(expect.arrayContaining(["code", "message"]));
    expect(Object.keys(error.properties.error!.properties)).toEqual(expect.arrayContaining(["code", "message", "issues"]));
  });

  it("validates as OpenAPI 3.1", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("shows the very schemas the routes validate with", () => {
    const register = operation("post", "/auth/register").requestBody!.content["application/json"]!.schema;
    const fromCore = toJsonSchema(registerBody, { errorMode: "ignore" }) as { properties: Record<string, Record<string, unknown>> };
    for (const field of ["email", "username", "password"]) expect(register.properties[field], field).toEqual(fromCore.properties[field]);
    // The contract's rules, as the document states them.
    expect(register.properties.username).toMatchObject({ pattern: "^[A-Za-z0-9_.-]{2,32}$" });
    expect(register.properties.password).toMatchObject({ minLength: 8, maxLength: 256 });
    // A path parameter: an id of ours, and required.
    const serverId = operation("get", "/servers/{id}").parameters!.find((p) => p.in === "path" && p.name === "id");
    expect(serverId).toMatchObject({ required: true, schema: { type: "string", pattern: (toJsonSchema(id, { errorMode: "ignore" }) as { pattern: string }).pattern } });
    // A query's default, and a body a route reads itself (a webhook's execution) from its own schema.
    expect(operation("get", "/servers/{id}/channels/{cid}/messages").parameters!.find((p) => p.name === "limit")).toMatchObject({ in: "query", schema: { default: "50" } });
    const execute = operation("post", "/webhooks/{wid}/{token}");
    expect(Object.keys(execute.requestBody!.content)).toEqual(["application/json", "multipart/form-data"]);
    // Its 429 is Discord's body, not the contract's error.
    expect(execute.responses["429"]).toMatchObject({ content: { "application/json": { schema: { required: ["message", "retry_after", "global"] } } } });
  });

  it("has bearer and bot security schemes, and each route names who may call it", () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(doc.components.securitySchemes.bot).toMatchObject({ type: "apiKey", in: "header", name: "Authorization" });
    expect(operation("get", "/servers").security).toEqual([{ bearer: [] }, { bot: [] }]);
    expect(operation("post", "/auth/ws-ticket").security).toEqual([{ bearer: [] }, { bot: [] }]);
    // A person's only (api.md "Bots"): /auth/*, /bots, push.
    for (const [method, path] of [["get", "/auth/me"], ["post", "/bots"], ["post", "/push/subscriptions"]] as const) {
      expect(operation(method, path).security, path).toEqual([{ bearer: [] }]);
    }
    for (const [method, path] of [["post", "/auth/register"], ["post", "/auth/login"], ["get", "/health"], ["post", "/webhooks/{wid}/{token}"], ["get", "/openapi.json"], ["get", "/docs"]] as const) {
      expect(operation(method, path).security, path).toEqual([]);
    }
  });

  it("names the API's base path as its server", async () => {
    expect(doc.servers).toEqual([{ url: "/" }]);
    expect((await documentOf(createApp({ ...t.deps, apiPath: "/api" }))).servers).toEqual([{ url: "/api" }]);
  });
});

describe("GET /docs", () => {
  /** The `src` of each `<script>` of a page. */
  const scriptsOf = (html: string) => [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
  const pageOf = async (app: App) => {
    const res = await app.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    return res.text();
  };

  /** The configuration Scalar's script reads from the page (its HTML API: an element, not a script that runs). */
  const configurationOf = (html: string) =>
    JSON.parse(/<script id="api-reference" type="application\/json" data-configuration="([^"]*)"><\/script>/.exec(html)![1]!.replaceAll("&quot;", '"').replaceAll("&amp;", "&"));

  it("is an HTML page of the document whose one script is the web app's, on the same origin locally", async () => {
    const html = await pageOf(t.app);
    expect(configurationOf(html)).toMatchObject({ url: "/openapi.json", telemetry: false, withDefaultFonts: false });
    // No inline script: the page renders under the web app's Content-Security-Policy (`script-src 'self'`).
    expect([...html.matchAll(/<script(?![^>]*\ssrc=)(?![^>]*type="application\/json")[^>]*>/g)]).toEqual([]);
    // No other origin at all: nothing loads from a CDN or calls Scalar's services.
    expect(html).not.toMatch(/https?:\/\//);
    expect(scriptsOf(html)).toEqual([apiReferenceScriptPath]);
  });

  it("deployed, loads that script from the stage's web app and from nowhere else", async () => {
    const html = await pageOf(createApp({ ...t.deps, webOrigin: "https://web.example" }));
    expect(scriptsOf(html)).toEqual([`https://web.example${apiReferenceScriptPath}`]);
    expect([...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => new URL(m[0]).origin)).toEqual(["https://web.example"]);
  });

  it("the API does not serve the script itself: the Lambda does not carry it", async () => {
    expect((await t.app.request(apiReferenceScriptPath)).status).toBe(404);
    expect((await t.app.request("/docs/scalar.js")).status).toBe(404);
  });

  it("the built web app serves it, as JavaScript: Scalar's installed standalone bundle", async () => {
    if (!existsSync(join(webBuild, "index.html"))) throw new Error("The web app is not built: run `npm run build:web` (npm test does it first).");
    const res = await webApp(webBuild).request(apiReferenceScriptPath);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    const installed = join(dirname(createRequire(import.meta.url).resolve("@scalar/api-reference")), apiReferenceScriptFromEntry);
    expect(await res.text()).toBe(readFileSync(installed, "utf8"));
  });
});
