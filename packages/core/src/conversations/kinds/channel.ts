/**
 * A channel as a conversation. Its server's members take part (anyone else is told it does not
 * exist: 404); the channel item is its head; its messages are `message` items under the channel
 * (model/messages.ts); its subscribers hear of its changes (and the server's whole-server
 * subscribers of each new message: packages/functions, delivery/messageEvents.ts); `@name`
 * mentions count for members only, `@everyone` for those allowed `MENTION_EVERYONE`, `@rolename`
 * for a mentionable role or from those allowed `MENTION_EVERYONE` (from the roles item the
 * check already read: no request of its own). What a
 * member may do in it is their permissions there (servers/channelPermissions.ts), computed from
 * the membership, the channel's overwrites and the server's roles item, all three in the check's
 * one BatchGetItem: without `VIEW_CHANNEL` the channel does not exist for them (404); a member
 * with `MANAGE_MESSAGES` there deletes anyone's message; slowmode rides in the send's transaction.
 */
import type { ChannelItem, Db, MemberItem, MessageItem, ServerRolesItem, UniqueKind, WriteEntities } from "../../model/index.ts";
import { AppError } from "../../errors.ts";
import { getEach } from "../../store/batches.ts";
import { mapAtMost, PARTITION_READS_AT_ONCE } from "../../store/parallel.ts";
import { itemRead } from "../../store/batchGet.ts";
import { serverNotRetired } from "../../servers/access.ts";
import { rolesOf, rolesRead, type StoredRole } from "../../servers/grants.ts";
import { allows, exemptFromSlowmode, heldByTimeout, permissionsIn, requireAct, requireVisible } from "../../servers/channelPermissions.ts";
import { mayView } from "../../servers/visibility.ts";
import { can } from "../../permissions/policy.ts";
import { mentionedRoleIds } from "../../permissions/roleMentions.ts";
import { mentionedNames, mentionsEveryoneIn } from "../../messages/mentions.ts";
import { messageView, type Message } from "../../views.ts";
import { headOf, type Caller, type ConversationKind, type KindTypes } from "../kind.ts";
import { moveHead } from "../feed.ts";
import { readAccess } from "../access.ts";
import { auditWrite } from "../../audit/log.ts";

/** A channel, named as its routes name it: under its server. */
export interface ChannelRef {
  serverId: string;
  channelId: string;
}

export interface ChannelTypes extends KindTypes {
  ref: ChannelRef;
  /**
   * The caller's membership, and their permissions in the channel computed when they were let in
   * (what they may do there); `timedOut` keeps them from reacting; the channel's slowmode, as read;
   * the server's roles, as read with them (what `@rolename` can name).
   */
  caller: Caller & { member: MemberItem | null; permissions: bigint; timedOut: boolean; slowmodeSeconds: number; roles: readonly StoredRole[] };
  /** Its subscribers, and for new messages its server's whole-server subscribers. */
  audience: ChannelRef;
  key: { channelId: string; messageId: string };
  message: MessageItem;
  view: Message;
}

/** The caller let in: a channel they cannot view (or a category, which holds no messages) is not found. */
function callerOf(db: Db, member: MemberItem, roles: ServerRolesItem | null, channel: ChannelItem): ChannelTypes["caller"] {
  if (channel.type === "category") throw new AppError("not_found", "No such channel.");
  const now = db.clock.now();
  const permissions = permissionsIn(member, roles, channel, now);
  requireVisible(permissions);
  return {
    userId: member.userId,
    username: member.username,
    userCreatedAt: member.userCreatedAt,
    ...(member.bot ? { bot: true } : {}),
    member,
    permissions,
    timedOut: heldByTimeout(member, permissions, now),
    slowmodeSeconds: exemptFromSlowmode(permissions) ? 0 : (channel.slowmodeSeconds ?? 0),
    roles: rolesOf(member.serverId, member.serverCreatedAt, roles).roles,
  };
}

export const channelRead = (db: Db, ref: ChannelRef) => itemRead(db.entities.channels, { serverId: ref.serverId, channelId: ref.channelId });

export const channel: ConversationKind<ChannelTypes> = {
  id: (ref) => ref.channelId,

  // The channel is read under its server, so a channel of another server is not found either.
  // The server's roles item rides in the same BatchGetItem: permissions cost no request.
  async enter(db, ref, userId, reads = {}) {
    const { own, also } = await readAccess(
      db,
      { member: itemRead(db.entities.members, { serverId: ref.serverId, userId }), channel: channelRead(db, ref), roles: rolesRead(db, ref.serverId) },
      reads,
    );
    if (!own.member) throw new AppError("not_found", "No such server.");
    if (!own.channel) throw new AppError("not_found", "No such channel.");
    return { caller: callerOf(db, own.member, own.roles, own.channel), head: headOf(own.channel), audience: ref, also };
  },
  // The permissions need the three reads together: one BatchGetItem (the session's read joins it), as for `enter`.
  async check(db, ref, userId) {
    const { caller, head, audience } = await channel.enter(db, ref, userId);
    return { caller, head, audience };
  },

  head: {
    read: channelRead,
    gone: "No such channel.",
    write: (tx, ref, head, next) => moveHead(tx.channels, { serverId: ref.serverId, channelId: ref.channelId }, head, next.lastMessageId, {}),
  },

  messages: {
    key: (ref, messageId) => ({ channelId: ref.channelId, messageId }),
    create: (ref, body) => ({ ...body, channelId: ref.channelId, serverId: ref.serverId }),
    stored: (db) => db.entities.messages,
    written: (tx) => tx.messages,
    read: (db, key) => itemRead(db.entities.messages, key),
    between: (db, ref, from, to) => db.entities.messages.query.byChannel({ channelId: ref.channelId }).between({ messageId: from }, { messageId: to }),
  },

  view: messageView,

  async mentions(db, ref, content) {
    const ids = await mentionedMembers(db, ref.serverId, content);
    const everyone = mentionsEveryoneIn(content);
    return (author) => {
      const mayMentionAll = can(author.permissions, "MENTION_EVERYONE");
      return {
        mentions: ids,
        mentionsEveryone: everyone && mayMentionAll,
        mentionRoles: mentionedRoleIds(content, author.roles, ref.serverId, mayMentionAll),
      };
    };
  },
  everyone: true,
  heldRoles: (caller) => caller.member?.roleIds ?? [],

  // The server still exists: a message racing the server's deletion is either refused or stored
  // before the retirement, where the purge (which starts after) finds it. In a slowed-down channel
  // the member's next allowed time moves on, on the condition that it has come (model/slowmodes.ts).
  sent: (tx, ref, message, { caller }) => ({
    server: serverNotRetired(tx.servers, ref.serverId),
    ...(caller.slowmodeSeconds > 0 ? { slowmode: slowmodeWrite(tx, ref, caller, Date.parse(message.createdAt)) } : {}),
  }),
  async refusal(db, ref, refused, { caller }) {
    if (refused.has("server")) return new AppError("not_found", "No such server.");
    // A repeated nonce answers with the first message, whatever the slowmode says.
    if (refused.has("slowmode") && !refused.has("nonce")) return slowedDown(db, ref, caller);
    return undefined;
  },

  requireTo(caller, act) {
    if ((act === "react" || act === "newReaction") && caller.timedOut) throw new AppError("forbidden", "You cannot react while timed out.");
    requireAct(caller.permissions, act);
  },
  // A moderator's deletion of someone else's message is audited in the deletion's transaction (Discord's MESSAGE_DELETE: the author is the target).
  deletedByOther: (db, tx, ref, { caller, reason }, message) => ({
    audit: auditWrite(db, tx, {
      serverId: ref.serverId,
      actorId: caller.userId,
      reason,
      action: "message_delete",
      targetId: message.authorId,
      changes: { channelId: { old: ref.channelId }, messageId: { old: message.messageId } },
    }),
  }),
  mayDeleteOthers: (caller) => allows(caller.permissions, "deleteOthers"),

  readStateKeys: (ref) => ({ channelId: ref.channelId, conversationId: null }),
  // The caller's memberships, then each server's channels with its roles item (one Query each, of the
  // server's partition, `PARTITION_READS_AT_ONCE` at a time): only the channels the caller can see
  // (api.md "What a member cannot see").
  async everyConversation(db, userId) {
    const memberships = await db.entities.members.query.byUser({ userId }).go({ pages: "all" });
    const now = db.clock.now();
    const pages = await mapAtMost(PARTITION_READS_AT_ONCE, memberships.data, async (member) => {
      const { data } = await db.collections.serverDetail({ serverId: member.serverId }).go({ pages: "all" });
      const roles = data.serverRoles[0] ?? null;
      // A category holds no messages: it has no read state.
      return data.channels
        .filter((c) => c.type !== "category" && mayView(roles, c, member, now))
        .map((c: ChannelItem) => ({ c, roleIds: member.roleIds ?? [] }));
    });
    return pages.flat().map(({ c, roleIds }) => ({ id: c.channelId, keys: channel.readStateKeys(c), lastMessageId: headOf(c).lastMessageId, roleIds }));
  },
};

/** The member posts now (`nowMs`, the message's time) and may again in `slowmodeSeconds`, if the last wait is over. */
const slowmodeWrite = (tx: WriteEntities, ref: ChannelRef, caller: ChannelTypes["caller"], nowMs: number) => {
  const until = nowMs + caller.slowmodeSeconds * 1000;
  return tx.slowmodes
    .put({ channelId: ref.channelId, userId: caller.userId, until, ttl: Math.ceil(until / 1000) + 60 })
    .where((a, op) => `${op.notExists(a.until)} OR ${op.lte(a.until, nowMs)}`)
    .commit();
};

/** 429 with the seconds until the member may post here again (one GetItem, paid by the refused send only). */
async function slowedDown(db: Db, ref: ChannelRef, caller: ChannelTypes["caller"]): Promise<AppError> {
  const { data } = await db.entities.slowmodes.get({ channelId: ref.channelId, userId: caller.userId }).go({ consistent: true });
  const wait = Math.max(1, Math.ceil(((data?.until ?? 0) - db.clock.now()) / 1000));
  return new AppError("rate_limited", `Slowmode is on in this channel: you can post again in ${wait} s.`, { retryAfter: Math.min(wait, caller.slowmodeSeconds) });
}

/**
 * The ids of the server's members the content names (`@username`, case-insensitive), in the
 * order it names them: one BatchGet of the username guards, one of the memberships.
 */
async function mentionedMembers(db: Db, serverId: string, content: string): Promise<string[]> {
  const names = mentionedNames(content);
  if (!names.length) return [];
  const guards = await getEach(
    names.map((value): { kind: UniqueKind; value: string } => ({ kind: "username", value })),
    (keys) => db.entities.uniques.get(keys).go({ attributes: ["value", "holderId"] }),
  );
  const userIds = [...new Set(guards.map((g) => g.holderId))];
  if (!userIds.length) return [];
  const members = await getEach(
    userIds.map((userId) => ({ serverId, userId })),
    (keys) => db.entities.members.get(keys).go({ attributes: ["userId"] }),
  );
  const isMember = new Set(members.map((m) => m.userId));
  const byName = new Map(guards.map((g) => [g.value, g.holderId]));
  return [...new Set(names.flatMap((n) => (isMember.has(byName.get(n) ?? "") ? [byName.get(n)!] : [])))];
}
