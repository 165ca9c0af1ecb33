import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "@agorusta/core";
import type { AppEnv, Deps } from "./deps.ts";
import { onError, onNotFound } from "./http/errors.ts";
import { authRoutes } from "./routes/auth.ts";
import { healthRoutes } from "./routes/health.ts";
import { serversRoutes } from "./routes/servers/index.ts";
import { invitesRoutes } from "./routes/invites.ts";
import { usersRoutes } from "./routes/users.ts";
import { dmsRoutes } from "./routes/dms.ts";
import { readStatesRoutes } from "./routes/readStates.ts";

const MAX_BODY_BYTES = 64 * 1024;

/** The one REST app: the same under Node locally and under Lambda. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>()
    .use(
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: () => {
          throw new AppError("payload_too_large");
        },
      }),
    )
    .route("/health", healthRoutes(deps))
    .route("/auth", authRoutes(deps))
    .route("/servers", serversRoutes(deps))
    .route("/invites", invitesRoutes(deps))
    .route("/users", usersRoutes(deps))
    .route("/dms", dmsRoutes(deps))
    .route("/read-states", readStatesRoutes(deps));
  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}

export type AppType = ReturnType<typeof createApp>;
