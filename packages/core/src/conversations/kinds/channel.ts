/**
 * A channel as a conversation. Its server's members take part (anyone else is told it does not
 * exist: 404); the channel item is its head; its messages are `message` items under the channel
 * (model/messages.ts); its subscribers hear of its changes (and the server's whole-server
 * subscribers of each new message: packages/functions, delivery/messageEvents.ts); `@name`
 * mentions count for members only, `@everyone` for those allowed `mention_everyone`; a member
 * allowed `manage_messages` may delete anyone's message.
 */
import type { ChannelItem, Db, MemberItem, MessageItem, UniqueKind } from "../../model/index.ts";
import { AppError } from "../../errors.ts";
import { getEach } from "../../store/batches.ts";
import { itemRead } from "../../store/batchGet.ts";
import { requireMember, serverNotRetired } from "../../servers/access.ts";
import { canView } from "../../servers/visibility.ts";
import { can } from "../../permissions/policy.ts";
import { mentionedNames, mentionsEveryoneIn } from "../../messages/mentions.ts";
import { messageView, type Message } from "../../views.ts";
import { headOf, type Caller, type ConversationKind, type KindTypes } from "../kind.ts";
import { moveHead, readHead } from "../feed.ts";
import { readAccess } from "../access.ts";

/** A channel, named as its routes name it: under its server. */
export interface ChannelRef {
  serverId: string;
  channelId: string;
}

export interface ChannelTypes extends KindTypes {
  ref: ChannelRef;
  /** The caller's membership decides what they may do (permissions/policy.ts). */
  caller: Caller & { member: MemberItem };
  /** Its subscribers, and for new messages its server's whole-server subscribers. */
  audience: ChannelRef;
  key: { channelId: string; messageId: string };
  message: MessageItem;
  view: Message;
}

const callerOf = (member: MemberItem): ChannelTypes["caller"] => ({
  userId: member.userId,
  username: member.username,
  userCreatedAt: member.userCreatedAt,
  member,
});

/** Both at once; the membership's 404 comes first, so a non-member learns nothing of the channel. */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === "rejected") throw x.reason;
  if (y.status === "rejected") throw y.reason;
  return [x.value, y.value];
}

const channelRead = (db: Db, ref: ChannelRef) => itemRead(db.entities.channels, { serverId: ref.serverId, channelId: ref.channelId });

export const channel: ConversationKind<ChannelTypes> = {
  id: (ref) => ref.channelId,

  // The channel is read under its server, so a channel of another server is not found either.
  async enter(db, ref, userId, reads = {}) {
    const { own, also } = await readAccess(db, { member: itemRead(db.entities.members, { serverId: ref.serverId, userId }), channel: channelRead(db, ref) }, reads);
    if (!own.member) throw new AppError("not_found", "No such server.");
    if (!own.channel) throw new AppError("not_found", "No such channel.");
    return { caller: callerOf(own.member), head: headOf(own.channel), audience: ref, also };
  },
  async check(db, ref, userId) {
    const [member, head] = await both(requireMember(db, ref.serverId, userId), readHead(db, channel, ref));
    return { caller: callerOf(member), head, audience: ref };
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
    return (author) => ({ mentions: ids, mentionsEveryone: everyone && can(author.member, "mention_everyone") });
  },
  everyone: true,

  // The server still exists: a message racing the server's deletion is either refused or stored
  // before the retirement, where the purge (which starts after) finds it.
  sent: (tx, ref) => ({ server: serverNotRetired(tx.servers, ref.serverId) }),
  refusal: (refused) => (refused.has("server") ? new AppError("not_found", "No such server.") : undefined),

  mayDeleteOthers: (caller) => can(caller.member, "manage_messages"),

  readStateKeys: (ref) => ({ channelId: ref.channelId, conversationId: null }),
  // The caller's memberships, then each server's channels with its roles item (one Query each, of the
  // server's partition): only the channels the caller can see (api.md "What a member cannot see").
  async everyConversation(db, userId) {
    const memberships = await db.entities.members.query.byUser({ userId }).go({ pages: "all" });
    const now = db.clock.now();
    const pages = await Promise.all(
      memberships.data.map(async (member) => {
        const { data } = await db.collections.serverDetail({ serverId: member.serverId }).go({ pages: "all" });
        const roles = data.serverRoles[0] ?? null;
        // A category holds no messages: it has no read state.
        return data.channels.filter((c) => c.type !== "category" && canView(roles, c, member, now));
      }),
    );
    return pages.flat().map((c: ChannelItem) => ({ id: c.channelId, keys: channel.readStateKeys(c), lastMessageId: headOf(c).lastMessageId }));
  },
};

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
