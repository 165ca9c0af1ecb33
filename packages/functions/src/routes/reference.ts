/**
 * The API describing itself (api.md "OpenAPI"): `GET /openapi.json`, the OpenAPI 3.1 document
 * hono-openapi generates from the app's routes (their validators' schemas and their
 * `describeRoute`: http/openapi.ts), and `GET /docs`, Scalar's reference page of it. The page's
 * script is Scalar's standalone bundle served by the app itself (`/docs/scalar.js`), never a CDN:
 * the page works offline and on a stage that reaches no third party.
 */
import { Hono, type Schema } from "hono";
import { compress } from "hono/compress";
import { openAPIRouteHandler } from "hono-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { AppEnv, Deps } from "../deps.ts";
import { documenting, errorResponses, securitySchemes } from "../http/openapi.ts";
import { scalarBundleFile } from "../lambda/copiedFiles.ts";

/**
 * Where the deployed API Lambda finds Scalar's bundle: copied beside its code by infra/functions.ts
 * (`copyFiles`, lambda/copiedFiles.ts), since esbuild bundles only code that is imported.
 * Elsewhere (`npm start`, tests), the installed package's own file.
 */
function scalarBundlePath(): string {
  const copied = process.env.LAMBDA_TASK_ROOT && join(process.env.LAMBDA_TASK_ROOT, scalarBundleFile.to);
  if (copied && existsSync(copied)) return copied;
  // The package exports no path to it: it sits in its dist/browser, beside the entry's dist/index.js.
  return join(dirname(createRequire(import.meta.url).resolve("@scalar/api-reference")), "browser/standalone.js");
}

/** Read once per process, when first asked for (5 MB: no process pays for it unless someone opens the page). */
let scalarBundle: Promise<string> | undefined;
const readScalarBundle = () => (scalarBundle ??= readFile(scalarBundlePath(), "utf8"));

const doc = documenting("Reference", { caller: "anyone" });

/** The routes of the document and its page; `app` is the whole API, whose routes the document describes. */
export const referenceRoutes = <S extends Schema>(deps: Deps, app: Hono<AppEnv, S>) => {
  const base = deps.apiPath ?? "";
  return new Hono<AppEnv>()
    .get(
      "/openapi.json",
      doc("This document: every route of the API, as OpenAPI 3.1", { ok: 200, answers: "The OpenAPI 3.1 document." }),
      openAPIRouteHandler(app, {
        documentation: {
          info: {
            title: "Agorusta API",
            version: "1",
            description: "Agorusta's REST API. Errors always have the body `{error: {code, message, issues?}}`. Real-time events come over the WebSocket (`POST /auth/ws-ticket`).",
          },
          // Locally the API is served under `/api` (deps.apiPath); deployed, at its own root.
          servers: [{ url: base || "/" }],
          components: { securitySchemes, responses: errorResponses },
        },
        // `/openapi.json` and `/docs/scalar.js` are routes like any other, not static files to leave out.
        excludeStaticFile: false,
        // Every route lists its error answers itself (http/openapi.ts), 400 among them.
        defaultValidationErrorResponse: false,
      }),
    )
    .get(
      "/docs",
      doc("A reference page of this document", { ok: 200, answers: "An HTML page (Scalar's API reference)." }),
      Scalar({
        url: `${base}/openapi.json`,
        // A `cdn` of our own: the page loads its script from this app, and nothing from elsewhere.
        cdn: `${base}/docs/scalar.js`,
        pageTitle: "Agorusta API",
        // Nothing that calls Scalar's services: their fonts, telemetry, AI agent, MCP, developer toolbar (share, SDKs, deploy).
        withDefaultFonts: false,
        telemetry: false,
        agent: { disabled: true },
        mcp: { disabled: true },
        showDeveloperTools: "never",
      }),
    )
    .get("/docs/scalar.js", doc("The reference page's script (Scalar's standalone bundle)", { ok: 200, answers: "JavaScript." }), compress(), async (c) =>
      c.body(await readScalarBundle(), 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=86400" }),
    );
};
