import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { AppError } from "@agorusta/core";
import type { AppEnv, Deps } from "./deps.ts";
import { onError, onNotFound } from "./http/errors.ts";
import { apiSecurityHeaders } from "./http/securityHeaders.ts";
import { wellFormedRequest } from "./http/wellFormed.ts";
import { authRoutes } from "./routes/auth.ts";
import { healthRoutes } from "./routes/health.ts";
import { serversRoutes } from "./routes/servers/index.ts";
import { invitesRoutes } from "./routes/invites.ts";
import { usersRoutes } from "./routes/users.ts";
import { dmsRoutes } from "./routes/dms.ts";
import { readStatesRoutes } from "./routes/readStates.ts";
import { notificationSettingsRoutes } from "./routes/notifications.ts";
import { pushRoutes } from "./routes/push.ts";
import { isWebhookExecution, webhookBodyLimit, webhooksRoutes } from "./routes/webhooks.ts";
import { botsRoutes } from "./routes/bots.ts";
import { referenceRoutes } from "./routes/reference.ts";

const MAX_BODY_BYTES = 64 * 1024;

/** The one REST app: the same under Node locally and under Lambda. */
export function createApp(deps: Deps) {
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError("payload_too_large");
    },
  });
  const app = new Hono<AppEnv>()
    // Cross-origin calls only from the stage's web app (deployed, it lives on another origin than
    // the API); none at all without one (`npm start` serves both from one origin).
    .use(
      cors({
        origin: (origin) => (deps.webOrigin && origin === deps.webOrigin ? origin : null),
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
        allowHeaders: ["authorization", "content-type", "x-audit-log-reason"],
        exposeHeaders: ["retry-after"],
        maxAge: 3600,
      }),
    )
    .use(async (c, next) => {
      await next();
      // Errors and 404s included: they pass back through here once onError/notFound answered.
      for (const [name, value] of Object.entries(apiSecurityHeaders)) c.header(name, value);
    })
    // A webhook's execution may carry files: it has a limit of its own (routes/webhooks.ts).
    .use((c, next) => (isWebhookExecution(c.req.path) ? webhookBodyLimit(c, next) : limitBody(c, next)))
    .use(wellFormedRequest)
    .route("/health", healthRoutes(deps))
    .route("/auth", authRoutes(deps))
    .route("/servers", serversRoutes(deps))
    .route("/invites", invitesRoutes(deps))
    .route("/users", usersRoutes(deps))
    .route("/dms", dmsRoutes(deps))
    .route("/read-states", readStatesRoutes(deps))
    .route("/notification-settings", notificationSettingsRoutes(deps))
    .route("/push", pushRoutes(deps))
    .route("/webhooks", webhooksRoutes(deps))
    // Where `@discordjs/rest` sends an execution when its `api` option is this API's base URL.
    .route("/v10/webhooks", webhooksRoutes(deps))
    .route("/bots", botsRoutes(deps));
  // The document of every route above (and of its own): api.md "OpenAPI".
  app.route("/", referenceRoutes(deps, app));
  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}

export type AppType = ReturnType<typeof createApp>;
