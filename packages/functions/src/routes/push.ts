/**
 * `/push`: the stage's VAPID public key, and the caller's browsers' push subscriptions (api.md
 * "Web Push"). A subscription belongs to the session that registered it: signing that session
 * out removes it (routes/auth.ts).
 */
import { Hono } from "hono";
import { AppError } from "@agorusta/core";
import { addPushSubscription, endpointHashOf, removePushSubscription } from "@agorusta/core/notifications";
import { pushSubscriptionBody, pushUnsubscribeBody } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";

/** Push needs the stage's key (push/setup.ts); a process without one says so instead of storing what it could never use. */
function setupOf(deps: Deps) {
  if (!deps.push) throw new AppError("not_found", "Push notifications are not set up on this server.");
  return deps.push;
}

export const pushRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/key", (c) => c.json({ publicKey: setupOf(deps).vapid.publicKey }, 200))
    .post("/subscriptions", validate("json", pushSubscriptionBody), async (c) => {
      const { endpoints } = setupOf(deps);
      const { created } = await addPushSubscription(deps.db, c.var.session, c.req.valid("json"), endpoints);
      return c.body(null, created ? 201 : 200);
    })
    .delete("/subscriptions", validate("json", pushUnsubscribeBody), async (c) => {
      await removePushSubscription(deps.db, c.var.userId, endpointHashOf(c.req.valid("json").endpoint));
      return c.body(null, 204);
    });
