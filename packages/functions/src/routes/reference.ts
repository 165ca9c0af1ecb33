/**
 * The API describing itself (api.md "OpenAPI"): `GET /openapi.json`, the OpenAPI 3.1 document
 * hono-openapi generates from the app's routes (their validators' schemas and their
 * `describeRoute`: http/openapi.ts), and `GET /docs`, Scalar's reference page of it. The page's
 * script is Scalar's standalone bundle served by the web app (http/apiReference.ts), never a CDN:
 * the page works offline and on a stage that reaches no third party, and the API Lambda does not
 * carry the script's 4.9 MB (docs/decisions.md, "Lambdas under 1 MiB").
 */
import { Hono, type Schema } from "hono";
import { openAPIRouteHandler } from "hono-openapi";
import { html } from "hono/html";
import type { AppEnv, Deps } from "../deps.ts";
import { documenting, errorResponses, securitySchemes } from "../http/openapi.ts";
import { apiReferenceScriptPath } from "../http/apiReference.ts";

const doc = documenting("Reference", { caller: "anyone" });

/**
 * Scalar's reference page with no inline script, so it renders under the web app's
 * Content-Security-Policy (`script-src 'self'`, which the local runtime sends on every answer):
 * the configuration rides on an element Scalar's script reads at load (its HTML API), typed as
 * data so no browser runs it. The script is the web app's (http/apiReference.ts): deployed, the
 * stage's web origin; locally, the same origin as the API, which `npm start` serves under `/api`.
 */
const referencePage = (script: string, document: string) => {
  const configuration = {
    url: document,
    // Nothing that calls Scalar's services: their fonts, telemetry, AI agent, MCP, developer toolbar (share, SDKs, deploy).
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: "never",
  };
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Agorusta API</title>
  </head>
  <body>
    <script id="api-reference" type="application/json" data-configuration="${JSON.stringify(configuration)}"></script>
    <script src="${script}"></script>
  </body>
</html>`;
};

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
        // `/openapi.json` is a route like any other, not a static file to leave out.
        excludeStaticFile: false,
        // Every route lists its error answers itself (http/openapi.ts), 400 among them.
        defaultValidationErrorResponse: false,
      }),
    )
    .get(
      "/docs",
      doc("A reference page of this document", { ok: 200, answers: "An HTML page (Scalar's API reference)." }),
      (c) => c.html(referencePage(`${deps.webOrigin ?? ""}${apiReferenceScriptPath}`, `${base}/openapi.json`)),
    );
};
