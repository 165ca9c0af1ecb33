/**
 * Who a new message is pushed to, and what the push says (api.md "Web Push"): a user who has a
 * subscription, is not active (no connection open, none closed within the last 2 minutes: they
 * would see it, or a tab of theirs would notify them itself), whose settings say the message
 * notifies them (settings.ts), and who can still see where it was sent (a channel they may
 * view, as members are filtered everywhere: servers/visibility.ts).
 *
 * Run off the request path (packages/functions, push/deliver.ts), so reads here cost the
 * sender nothing. Who is considered at all, for a channel message: the users it mentions, the
 * members holding a role it mentions or everyone for `@everyone` (one Query of the server's
 * members, only for those), and whoever set the server or the channel to `all` (one Query each
 * of the sparse `wantingAll` index). Then, 100 at a time: their user items (activity, whether
 * they have subscriptions at all), and for those still in, their memberships and settings.
 */
import type { ChannelItem, Db, NotifySettingItem, ServerRolesItem, UserItem } from "../model/index.ts";
import type { PushPayload } from "../views.ts";
import { EVERYONE } from "../model/index.ts";
import { itemRead, readTogether } from "../store/readTogether.ts";
import { getEach } from "../store/batches.ts";
import { epochSeconds } from "../store/time.ts";
import { isConditionalFailure } from "../store/transactions.ts";
import { isOnline } from "../realtime/presence.ts";
import { rolesRead } from "../servers/grants.ts";
import { mayView, type Viewer } from "../servers/visibility.ts";
import { channelNotifyOf, notifies, serverNotifyOf, settingKeys } from "./settings.ts";

/** A message to consider pushing: what the queue carries (packages/functions, push/queue.ts). */
export type PushJob =
  | { kind: "channel"; serverId: string; channelId: string; messageId: string }
  | { kind: "dm"; conversationId: string; messageId: string };

/** Someone active this recently (a connection open, or closed this long ago) is not pushed to. */
export const ACTIVE_WITHIN_MS = 2 * 60_000;
/** api.md: the body is at most 200 characters. */
export const PUSH_BODY_CHARACTERS = 200;

type Activity = Pick<UserItem, "userId" | "connectionCount" | "onlineUntil" | "offlineAt" | "pushSubscriptionCount">;

/** Whether a user counts as looking at `nowMs`: a connection open, or one closed within `ACTIVE_WITHIN_MS`. */
export const isActive = (u: Partial<Activity> | null | undefined, nowMs: number) =>
  isOnline(u, Math.floor(nowMs / 1000)) || (u?.offlineAt ?? 0) > nowMs - ACTIVE_WITHIN_MS;

/** At most `max` characters (code points, never half a surrogate pair), with an ellipsis when cut. */
export function excerpt(text: string, max = PUSH_BODY_CHARACTERS): string {
  const chars = Array.from(text.replace(/\s+/g, " ").trim());
  return chars.length <= max ? chars.join("") : chars.slice(0, max - 1).join("") + "…";
}

const bodyOf = (content: string, attachments: number, prefix = "") =>
  excerpt(prefix + (content.trim() || (attachments ? `sent ${attachments === 1 ? "a file" : `${attachments} files`}` : "")));

/** Of these users, those with a subscription who are not active now (one BatchGetItem per 100). */
async function reachable(db: Db, userIds: readonly string[]): Promise<string[]> {
  if (!userIds.length) return [];
  const users = await getEach(
    userIds.map((userId) => ({ userId })),
    (keys) => db.entities.users.get(keys).go({ attributes: ["userId", "connectionCount", "onlineUntil", "offlineAt", "pushSubscriptionCount"] }),
  );
  const now = db.clock.now();
  return users.filter((u) => (u.pushSubscriptionCount ?? 0) > 0 && !isActive(u, now)).map((u) => u.userId);
}

export interface PushPlan {
  userIds: string[];
  payload: PushPayload;
}

/** Who gets a push for this message, and what it says; null when nobody does (or the message is gone). */
export async function planPush(db: Db, job: PushJob): Promise<PushPlan | null> {
  return job.kind === "dm" ? planDmPush(db, job) : planChannelPush(db, job);
}

async function planDmPush(db: Db, job: Extract<PushJob, { kind: "dm" }>): Promise<PushPlan | null> {
  const found = await readTogether(db, {
    message: itemRead(db.entities.dmMessages, { conversationId: job.conversationId, messageId: job.messageId }),
    conversation: itemRead(db.entities.dmConversations, { conversationId: job.conversationId }),
  });
  const { message, conversation } = found;
  if (!message || !conversation) return null;
  const to = [conversation.first.id, conversation.second.id].find((id) => id !== message.authorId);
  if (!to) return null;
  const [ready] = await reachable(db, [to]);
  if (!ready) return null;
  const [dms] = await getEach(settingKeys(to, "dms"), (keys) => db.entities.notifySettings.get(keys).go());
  if (!notifies({ kind: "dm", dmsMuted: dms?.muted ?? false })) return null;
  return {
    userIds: [to],
    payload: {
      type: "message",
      title: message.authorUsername,
      body: bodyOf(message.content, message.attachments?.length ?? 0),
      url: `/dms/${job.conversationId}#message-${job.messageId}`,
      tag: `dm-${job.conversationId}`,
    },
  };
}

const viewerAttributes = ["serverId", "userId", "roleIds", "timeoutUntil", "serverOwnerId", "serverCreatedAt"] as const;

async function planChannelPush(db: Db, job: Extract<PushJob, { kind: "channel" }>): Promise<PushPlan | null> {
  const { serverId, channelId } = job;
  const found = await readTogether(db, {
    message: itemRead(db.entities.messages, { channelId, messageId: job.messageId }),
    channel: itemRead(db.entities.channels, { serverId, channelId }),
    server: itemRead(db.entities.servers, { serverId }),
    roles: rolesRead(db, serverId),
  });
  const { message, channel, server, roles } = found;
  if (!message || !channel || !server) return null;
  const roleIds = new Set(message.mentionRoles ?? []);
  // Everyone named, and the members a role or `@everyone` names (their items read here, once).
  const mentioned = new Set(message.mentions);
  const known = new Map<string, Viewer>();
  if (message.mentionsEveryone || roleIds.size) {
    const { data } = await db.entities.members.query.byServer({ serverId }).go({ pages: "all", attributes: [...viewerAttributes] });
    for (const m of data) {
      known.set(m.userId, m);
      if (message.mentionsEveryone || [...(m.roleIds ?? [])].some((r) => roleIds.has(r))) mentioned.add(m.userId);
    }
  }
  const wantingAll = await Promise.all(
    [serverId, channelId].map((scope) =>
      db.entities.notifySettings.query.wantingAll({ serverId, scope }).go({ pages: "all", attributes: ["userId"] }),
    ),
  );
  const candidates = new Set([...mentioned, ...wantingAll.flatMap((r) => r.data.map((s) => s.userId))]);
  candidates.delete(message.authorId);
  candidates.delete(EVERYONE);
  const ready = await reachable(db, [...candidates]);
  const userIds = await decide(db, { serverId, channelId, roles, channel, mentioned, known }, ready);
  if (!userIds.length) return null;
  return {
    userIds,
    payload: {
      type: "message",
      title: `#${channel.name} (${server.name})`,
      body: bodyOf(message.content, message.attachments?.length ?? 0, `${message.authorUsername}: `),
      url: `/servers/${serverId}/channels/${channelId}#message-${job.messageId}`,
      tag: `channel-${channelId}`,
    },
  };
}

/** Of these users, the members who may see the channel and whose settings say the message notifies them. */
async function decide(
  db: Db,
  at: { serverId: string; channelId: string; roles: ServerRolesItem | null; channel: ChannelItem; mentioned: Set<string>; known: Map<string, Viewer> },
  userIds: string[],
): Promise<string[]> {
  if (!userIds.length) return [];
  const unknown = userIds.filter((id) => !at.known.has(id));
  const [members, settings] = await Promise.all([
    getEach(
      unknown.map((userId) => ({ serverId: at.serverId, userId })),
      (keys) => db.entities.members.get(keys).go({ attributes: [...viewerAttributes] }),
    ),
    getEach(
      userIds.flatMap((userId) => settingKeys(userId, at)),
      (keys) => db.entities.notifySettings.get(keys).go(),
    ),
  ]);
  const viewers = new Map<string, Viewer>([...at.known, ...members.map((m): [string, Viewer] => [m.userId, m])]);
  const setting = new Map(settings.map((s: NotifySettingItem) => [`${s.userId}\u0000${s.scope}`, s]));
  const now = db.clock.now();
  return userIds.filter((userId) => {
    const viewer = viewers.get(userId);
    if (!viewer || !mayView(at.roles, at.channel, viewer, now)) return false;
    return notifies({
      kind: "channel",
      server: serverNotifyOf(setting.get(`${userId}\u0000${at.serverId}`), now),
      channel: channelNotifyOf(setting.get(`${userId}\u0000${at.channelId}`)),
      mentioned: at.mentioned.has(userId),
    });
  });
}

/**
 * Claims the push of this message to this user: true once, for whoever writes the receipt
 * first; a job delivered again (SQS's at-least-once) finds it and pushes nothing.
 */
export async function claimPush(db: Db, userId: string, messageId: string): Promise<boolean> {
  try {
    await db.entities.pushReceipts.create({ userId, messageId, ttl: epochSeconds(db.clock) + 24 * 3600 }).go({ response: "none" });
    return true;
  } catch (e) {
    if (isConditionalFailure(e)) return false;
    throw e;
  }
}
