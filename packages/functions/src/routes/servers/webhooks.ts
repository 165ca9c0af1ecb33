import { Hono, type Context } from "hono";
import { createWebhook, deleteWebhook, listWebhooks, updateWebhook } from "@agorusta/core/webhooks";
import { channelParams, createWebhookBody, editWebhookBody, serverParams, webhookParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { auditReasonOf } from "../../http/auditReason.ts";

/**
 * The URL a tool posts to: this API's own origin (as the request reached it) and prefix, so it
 * is right locally (`/api`) and deployed (the API's domain). Shown once, with the token in it.
 */
export const webhookUrl = (deps: Deps, c: Context, id: string, token: string) => `${new URL(c.req.url).origin}${deps.apiPath ?? ""}/webhooks/${id}/${token}`;

/** A server's webhooks (api.md "Incoming webhooks"), for who holds `MANAGE_WEBHOOKS`: `/servers/:id/channels/:cid/webhooks` and `/servers/:id/webhooks`. */
export const serverWebhooksRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .post("/:id/channels/:cid/webhooks", params(channelParams), validate("json", createWebhookBody), async (c) => {
      const { id: serverId, cid: channelId } = c.req.valid("param");
      const webhook = await createWebhook(deps.db, { serverId, channelId, actorId: c.var.userId, reason: auditReasonOf(c), name: c.req.valid("json").name });
      return c.json({ ...webhook, url: webhookUrl(deps, c, webhook.id, webhook.token) }, 201);
    })
    .get("/:id/webhooks", params(serverParams), async (c) => c.json(await listWebhooks(deps.db, { serverId: c.req.valid("param").id, actorId: c.var.userId }), 200))
    .patch("/:id/webhooks/:wid", params(webhookParams), validate("json", editWebhookBody), async (c) => {
      const { id: serverId, wid: webhookId } = c.req.valid("param");
      return c.json(await updateWebhook(deps.db, { serverId, webhookId, actorId: c.var.userId, reason: auditReasonOf(c), ...c.req.valid("json") }), 200);
    })
    .delete("/:id/webhooks/:wid", params(webhookParams), async (c) => {
      const { id: serverId, wid: webhookId } = c.req.valid("param");
      await deleteWebhook(deps.db, { serverId, webhookId, actorId: c.var.userId, reason: auditReasonOf(c) });
      return c.body(null, 204);
    });
