/**
 * Managing a server's incoming webhooks (api.md "Incoming webhooks"): who holds `MANAGE_WEBHOOKS`
 * there creates, lists, renames, moves and deletes them, each change audited in its own
 * transaction. The token is shown once, when the webhook is created (only its hash is kept).
 */
import type { ChannelItem, Db, WebhookItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { itemRead } from "../store/batchGet.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { newSecret } from "../auth/secretTokens.ts";
import { auditWrite, diffOf, type AuditContext } from "../audit/log.ts";
import { requireCan, serverNotRetired, standingWith } from "../servers/access.ts";
import { webhookView, type Webhook } from "../views.ts";

/** The change's caller, server and reason. */
interface Managing extends AuditContext {
  serverId: string;
}

/** The caller's standing with `MANAGE_WEBHOOKS` (404 for a non-member, 403 without it), with `reads` beside it. */
async function managing<R extends Parameters<typeof standingWith>[3]>(db: Db, who: Managing, reads?: R) {
  const { standing, found } = await standingWith(db, who.serverId, who.actorId, reads, { consistent: true });
  requireCan(standing, "MANAGE_WEBHOOKS");
  return found;
}

/** A text channel of this server, or 404 (a category holds no messages). */
function requireTextChannel(channel: ChannelItem | null | undefined): ChannelItem {
  if (!channel || channel.type === "category") throw new AppError("not_found", "No such channel.");
  return channel;
}

const channelRead = (db: Db, serverId: string, channelId: string) => itemRead(db.entities.channels, { serverId, channelId });

/** Creates a webhook posting into the channel; answers it with its token (the only time it is shown). */
export async function createWebhook(db: Db, who: Managing & { channelId: string; name: string }): Promise<Webhook & { token: string }> {
  const found = await managing(db, who, { channel: channelRead(db, who.serverId, who.channelId) });
  requireTextChannel(found.channel as ChannelItem | null);
  const { secret, hash } = newSecret();
  const item: WebhookItem = {
    webhookId: newId(),
    serverId: who.serverId,
    channelId: who.channelId,
    name: who.name,
    creatorId: who.actorId,
    createdAt: nowIso(db.clock),
    tokenHash: hash,
  };
  const refused = await transact(db, (e) => ({
    webhook: e.webhooks.create(item).commit(),
    server: serverNotRetired(e.servers, who.serverId),
    audit: auditWrite(db, e, { ...who, action: "webhook_create", targetId: item.webhookId, changes: diffOf({}, { name: item.name, channelId: item.channelId }) }),
  }));
  if (refused.has("server")) throw new AppError("not_found", "No such server.");
  assertCommitted(refused, "createWebhook");
  return { ...webhookView(item), token: secret };
}

/** The server's webhooks (without tokens), oldest first. */
export async function listWebhooks(db: Db, who: Managing): Promise<Webhook[]> {
  await managing(db, who);
  const { data } = await db.entities.webhooks.query.byServer({ serverId: who.serverId }).go({ pages: "all" });
  return data.map(webhookView);
}

/** The webhook, if it is this server's (404 otherwise). */
function requireOwn(found: unknown, serverId: string): WebhookItem {
  const webhook = found as WebhookItem | null;
  if (!webhook || webhook.serverId !== serverId) throw new AppError("not_found", "No such webhook.");
  return webhook;
}

/** Renames it or moves it to another text channel of the server; its token stays. */
export async function updateWebhook(db: Db, who: Managing & { webhookId: string; name?: string | undefined; channelId?: string | undefined }): Promise<Webhook> {
  const found = await managing(db, who, {
    webhook: itemRead(db.entities.webhooks, { webhookId: who.webhookId }),
    channel: who.channelId ? channelRead(db, who.serverId, who.channelId) : undefined,
  });
  const before = requireOwn(found.webhook, who.serverId);
  if (who.channelId) requireTextChannel(found.channel as ChannelItem | null);
  const next = { name: who.name ?? before.name, channelId: who.channelId ?? before.channelId };
  const changes = diffOf({ name: before.name, channelId: before.channelId }, next);
  if (!Object.keys(changes).length) return webhookView(before);
  const refused = await transact(db, (e) => ({
    webhook: e.webhooks
      .patch({ webhookId: who.webhookId })
      .set(next)
      .where((a, op) => op.eq(a.serverId, who.serverId))
      .commit(),
    audit: auditWrite(db, e, { ...who, action: "webhook_update", targetId: who.webhookId, changes }),
  }));
  if (refused.has("webhook")) throw new AppError("not_found", "No such webhook.");
  assertCommitted(refused, "updateWebhook");
  return webhookView({ ...before, ...next });
}

/** Deletes it: the next execution with its token (read strongly) finds nothing. */
export async function deleteWebhook(db: Db, who: Managing & { webhookId: string }): Promise<void> {
  const found = await managing(db, who, { webhook: itemRead(db.entities.webhooks, { webhookId: who.webhookId }) });
  requireOwn(found.webhook, who.serverId);
  const refused = await transact(db, (e) => ({
    webhook: e.webhooks
      .delete({ webhookId: who.webhookId })
      .where((a, op) => op.eq(a.serverId, who.serverId))
      .commit(),
    audit: auditWrite(db, e, { ...who, action: "webhook_delete", targetId: who.webhookId }),
  }));
  if (refused.has("webhook")) throw new AppError("not_found", "No such webhook.");
  assertCommitted(refused, "deleteWebhook");
}
