import { Hono, type Context } from "hono";
import { createWebhook, deleteWebhook, listWebhooks, updateWebhook } from "@agorusta/core/webhooks";
import * as v from "valibot";
import { channelParams, createWebhookBody, editWebhookBody, serverParams, webhookObject, webhookParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Webhooks");

/**
 * The URL a tool posts to: this API's own origin (as the request reached it) and prefix, so it
 * is right locally (`/api`) and deployed (the API's domain). Shown once, with the token in it.
 */
export const webhookUrl = (deps: Deps, c: Context, id: string, token: string) => `${new URL(c.req.url).origin}${deps.apiPath ?? ""}/webhooks/${id}/${token}`;

/** A server's webhooks (api.md "Incoming webhooks"), for who holds `MANAGE_WEBHOOKS`: `/servers/:id/channels/:cid/webhooks` and `/servers/:id/webhooks`. */
export const serverWebhooksRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .post("/:id/channels/:cid/webhooks", doc("Create an incoming webhook in a channel: its token and URL, shown this once (MANAGE_WEBHOOKS)", { ok: 201, body: webhookObject, errors: [409] }), params(channelParams), validate("json", createWebhookBody), async (c) => {
      const { id: serverId, cid: channelId } = c.req.valid("param");
      const webhook = await createWebhook(deps.db, { serverId, channelId, actorId: c.var.userId, reason: auditReasonOf(c), name: c.req.valid("json").name });
      return c.json({ ...webhook, url: webhookUrl(deps, c, webhook.id, webhook.token) }, 201);
    })
    .get("/:id/webhooks", doc("The server's webhooks (MANAGE_WEBHOOKS)", { ok: 200, body: v.array(webhookObject) }), params(serverParams), async (c) => c.json(await listWebhooks(deps.db, { serverId: c.req.valid("param").id, actorId: c.var.userId }), 200))
    .patch("/:id/webhooks/:wid", doc("Rename a webhook or move it to another channel (MANAGE_WEBHOOKS)", { ok: 200, body: webhookObject }), params(webhookParams), validate("json", editWebhookBody), async (c) => {
      const { id: serverId, wid: webhookId } = c.req.valid("param");
      return c.json(await updateWebhook(deps.db, { serverId, webhookId, actorId: c.var.userId, reason: auditReasonOf(c), ...c.req.valid("json") }), 200);
    })
    .delete("/:id/webhooks/:wid", doc("Delete a webhook: its token stops working at once (MANAGE_WEBHOOKS)", { ok: 204 }), params(webhookParams), async (c) => {
      const { id: serverId, wid: webhookId } = c.req.valid("param");
      await deleteWebhook(deps.db, { serverId, webhookId, actorId: c.var.userId, reason: auditReasonOf(c) });
      return c.body(null, 204);
    });
