/**
 * `/push`: the stage's VAPID public key, and the caller's browsers' push subscriptions (api.md
 * "Web Push"). A subscription belongs to the session that registered it: signing that session
 * out removes it (routes/auth.ts). Not a bot's (api.md "Bots"): its token gets 403.
 */
import { Hono } from "hono";
import { AppError } from "@agorusta/core";
import { addPushSubscription, endpointHashOf, removePushSubscription } from "@agorusta/core/notifications";
import { pushSubscriptionBody, pushUnsubscribeBody } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";
import { documenting } from "../http/openapi.ts";

/** A person's browsers: a bot's token is refused (403, api.md "Bots"). */
const doc = documenting("Push", { caller: "person" });

/** Push needs the stage's key (push/setup.ts); a process without one says so instead of storing what it could never use. */
function setupOf(deps: Deps) {
  if (!deps.push) throw new AppError("not_found", "Push notifications are not set up on this server.");
  return deps.push;
}

export const pushRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    // A person's browsers: a bot's token is refused (api.md "Bots").
    .use(requireUser(deps, { bots: false }))
    .get("/key", doc("The stage's VAPID public key (404 where push is not set up)", { ok: 200, answers: "`{publicKey}`" }), (c) => c.json({ publicKey: setupOf(deps).vapid.publicKey }, 200))
    .post("/subscriptions", doc("Register this browser's push subscription (201; 200 when known)", { ok: [201, 200] }), validate("json", pushSubscriptionBody), async (c) => {
      const { endpoints } = setupOf(deps);
      const { created } = await addPushSubscription(deps.db, c.var.session, c.req.valid("json"), endpoints);
      return c.body(null, created ? 201 : 200);
    })
    .delete("/subscriptions", doc("Remove a push subscription", { ok: 204 }), validate("json", pushUnsubscribeBody), async (c) => {
      await removePushSubscription(deps.db, c.var.userId, endpointHashOf(c.req.valid("json").endpoint));
      return c.body(null, 204);
    });
