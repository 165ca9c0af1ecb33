/**
 * Executing an incoming webhook (api.md "Incoming webhooks"): the token is checked against the
 * webhook's stored hash (read strongly: a deleted webhook posts nothing more), the webhook's own
 * limit is counted, its files go into the attachment store as uploads of the webhook's, and the
 * message is sent through the one send path (conversations/send.ts) as a channel message whose
 * author is the webhook. `webhookChannel` is the channel kind with the webhook let in instead of
 * a member: it posts wherever it points; its `@everyone` and role mentions count only if
 * `allowed_mentions` allows them and its creator, a member still, holds `MENTION_EVERYONE` there.
 */
import type { Db, MemberItem, ServerRolesItem, ChannelItem, WebhookItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { itemRead } from "../store/batchGet.ts";
import { consumeAttempt, type RateLimitPolicy } from "../limits/attempts.ts";
import { PENDING_PREFIX, type Stores } from "../attachments/files.ts";
import { createUpload } from "../attachments/uploads.ts";
import { secretMatches } from "../auth/secretTokens.ts";
import { PERMISSIONS } from "../permissions/bits.ts";
import { can } from "../permissions/policy.ts";
import { rolesOf, rolesRead } from "../servers/grants.ts";
import { permissionsIn } from "../servers/channelPermissions.ts";
import { channel, channelRead, type ChannelRef, type ChannelTypes } from "../conversations/kinds/channel.ts";
import { headOf, type ConversationKind, type Mentions } from "../conversations/kind.ts";
import { readAccess } from "../conversations/access.ts";
import { parse, sendMessageBody, uploadBody, type AllowedMentions } from "../schemas.ts";

/** 30 executions a minute per webhook (Discord's own figure), whatever AGORUSTA_RATE_LIMITS says. */
export const WEBHOOK_RATE: RateLimitPolicy = { limit: 30, windowSeconds: 60 };

/**
 * The webhook whose token this is: 404 for no such webhook, 401 for a wrong token. Nothing is
 * written. A webhook whose server or channel was deleted is no webhook (404) from that moment,
 * though its item waits for the purge (servers/deletion.ts, channelDeletion.ts) to go: checked
 * here, before its limit is counted or its files are stored.
 */
export async function authorizeWebhook(db: Db, webhookId: string, token: string): Promise<WebhookItem> {
  const { data } = await db.entities.webhooks.get({ webhookId }).go({ consistent: true });
  if (!data) throw new AppError("not_found", "Unknown webhook.");
  if (!secretMatches(token, data.tokenHash)) throw new AppError("unauthorized", "Invalid webhook token.");
  const [server, channelItem] = await Promise.all([
    db.entities.servers.get({ serverId: data.serverId }).go({ consistent: true, attributes: ["serverId"] }),
    db.entities.channels.get({ serverId: data.serverId, channelId: data.channelId }).go({ consistent: true, attributes: ["channelId"] }),
  ]);
  if (!server.data || !channelItem.data) throw new AppError("not_found", "Unknown webhook.");
  return data;
}

/** Counts one execution: 429 `rate_limited` with `retry-after` past 30 a minute. */
export const limitWebhook = (db: Db, webhookId: string) => consumeAttempt(db, `webhook:${webhookId}`, WEBHOOK_RATE, db.clock.now(), "This webhook is posting too fast.");

/** A file a webhook attaches (a part `files[n]` of its multipart body). */
export interface WebhookFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/**
 * Stores the files as the webhook's uploads for its channel (checked as any upload is: name,
 * type, 25 MiB), ready to be claimed by the message; answers their ids. An upload never used
 * (the send then failed) expires as any other does.
 */
export async function storeWebhookFiles(stores: Stores, webhook: WebhookItem, files: readonly WebhookFile[]): Promise<string[]> {
  return Promise.all(
    files.map(async (f) => {
      const declared = parse(uploadBody, { filename: f.filename, contentType: f.contentType || "application/octet-stream", size: f.bytes.byteLength });
      const upload = await createUpload(stores, { ownerId: webhook.webhookId, purpose: "message", scopeId: webhook.channelId, ...declared });
      await stores.files.putBytes(`${PENDING_PREFIX}${upload.id}`, f.bytes, declared.contentType);
      return upload.id;
    }),
  );
}

/** What an execution posts, checked as any message is (content, or files, or both). */
export function webhookMessage(content: string, attachments: string[]): { content: string; attachments?: string[] } {
  return parse(sendMessageBody, { content, ...(attachments.length ? { attachments } : {}) });
}

/** The mentions Discord's `allowed_mentions` lets through; none given: all of them (Discord's default). */
export function allowedOnly(found: Mentions, allowed: AllowedMentions | undefined): Mentions {
  if (!allowed) return found;
  const parse = new Set(allowed.parse ?? []);
  const byId = (kind: "users" | "roles", ids: readonly string[]) => (parse.has(kind) ? [...ids] : ids.filter((id) => allowed[kind]?.includes(id)));
  return {
    mentions: byId("users", found.mentions),
    mentionsEveryone: found.mentionsEveryone && parse.has("everyone"),
    mentionRoles: byId("roles", found.mentionRoles ?? []),
  };
}

/** What a webhook may do where it posts: send and attach, read (a reply's original), and mention all when its creator may. */
const WEBHOOK_PERMISSIONS = PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.SEND_MESSAGES | PERMISSIONS.ATTACH_FILES | PERMISSIONS.READ_MESSAGE_HISTORY;

/** The channel kind with this webhook as the caller (its name, or the execution's `username`). */
export function webhookChannel(webhook: WebhookItem, post: { username?: string | undefined; allowedMentions?: AllowedMentions | undefined }): ConversationKind<ChannelTypes> {
  return {
    ...channel,
    async enter(db, ref, _userId, reads = {}) {
      const { own, also } = await readAccess(
        db,
        {
          channel: channelRead(db, ref),
          roles: rolesRead(db, ref.serverId),
          creator: itemRead(db.entities.members, { serverId: ref.serverId, userId: webhook.creatorId }),
        },
        reads,
      );
      const found = own.channel as ChannelItem | null;
      if (!found || found.type === "category") throw new AppError("not_found", "No such channel.");
      const roles = own.roles as ServerRolesItem | null;
      const creator = own.creator as MemberItem | null;
      const now = db.clock.now();
      const creatorMayMentionAll = !!creator && can(permissionsIn(creator, roles, found, now), "MENTION_EVERYONE");
      return {
        caller: {
          userId: webhook.webhookId,
          username: post.username ?? webhook.name,
          userCreatedAt: webhook.createdAt,
          bot: true,
          webhookId: webhook.webhookId,
          member: null,
          permissions: WEBHOOK_PERMISSIONS | (creatorMayMentionAll ? PERMISSIONS.MENTION_EVERYONE : 0n),
          timedOut: false,
          slowmodeSeconds: 0,
          roles: rolesOf(ref.serverId, creator?.serverCreatedAt ?? webhook.createdAt, roles).roles,
        },
        head: headOf(found),
        audience: ref,
        also,
      };
    },
    async check(db, ref, userId) {
      const { caller, head, audience } = await this.enter(db, ref, userId);
      return { caller, head, audience };
    },
    // Role mentions, mentionable or not, take the creator's MENTION_EVERYONE (api.md); then allowed_mentions filters.
    async mentions(db, ref, content) {
      const of = await channel.mentions(db, ref, content);
      return (author) => {
        const found = of(author);
        const mayMentionAll = can(author.permissions, "MENTION_EVERYONE");
        return allowedOnly({ ...found, mentionRoles: mayMentionAll ? (found.mentionRoles ?? []) : [] }, post.allowedMentions);
      };
    },
  };
}

/** Where a webhook posts now. */
export const webhookRef = (w: WebhookItem): ChannelRef => ({ serverId: w.serverId, channelId: w.channelId });
