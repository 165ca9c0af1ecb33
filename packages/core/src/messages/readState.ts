/**
 * Read state (api.md "Read state, unread, mentions"): where each user has read up to in each
 * conversation, moved only forward by a conditional put, and how many messages after it mention
 * them. Message ids grow in commit order within a conversation (store/ids.ts `idAfter`), so
 * "after the read position" is a key range, and "unread" is `lastMessageId > lastReadMessageId`.
 */
import type { Db } from "../model/index.ts";
import { EVERYONE } from "../model/index.ts";
import { getEach } from "../store/batches.ts";
import { isConditionalFailure } from "../store/transactions.ts";
import { requireMember } from "../servers/access.ts";
import { AppError } from "../errors.ts";
import { headOf, readHead, type Conversation, type Head } from "./changes.ts";
import type { ReadState } from "../views.ts";

/** Above every ULID (Crockford base32 stops at 'Z'). */
const HIGHEST = "~";

/**
 * The messages after `after` in the conversation that mention the user: one Query of their
 * mention items (and, in a channel, one of `@everyone`'s, less the user's own).
 */
export async function mentionCount(db: Db, c: Conversation, userId: string, after: string | null): Promise<number> {
  const conversationId = c.kind === "channel" ? c.channelId : c.conversationId;
  const count = async (mentioned: string) => {
    const { data } = await db.entities.mentions.query
      .byMentioned({ conversationId, userId: mentioned })
      .between({ messageId: after ?? "0" }, { messageId: HIGHEST })
      .go({ pages: "all", attributes: ["messageId", "authorId"] });
    return data.filter((m) => m.messageId !== after && m.authorId !== userId).length;
  };
  const [own, everyone] = await Promise.all([count(userId), c.kind === "channel" ? count(EVERYONE) : 0]);
  return own + everyone;
}

const readStateOf = (c: Conversation, lastReadMessageId: string | null, mentions: number): ReadState => ({
  channelId: c.kind === "channel" ? c.channelId : null,
  conversationId: c.kind === "dm" ? c.conversationId : null,
  lastReadMessageId,
  mentionCount: mentions,
});

/**
 * Moves the user's read position to `messageId`, if that is forward. A position past the newest
 * message is taken as the newest (no message after it exists yet, so reading "up to" it reads
 * everything there is); in a conversation with no messages nothing moves. `moved` says whether
 * it changed (only then are the reader's other devices told).
 */
async function markRead(
  db: Db,
  c: Conversation,
  head: Head,
  userId: string,
  messageId: string,
): Promise<{ state: ReadState; moved: boolean }> {
  const conversationId = c.kind === "channel" ? c.channelId : c.conversationId;
  const target = head.lastMessageId && messageId > head.lastMessageId ? head.lastMessageId : messageId;
  let position: string | null = target;
  let moved = head.lastMessageId !== null;
  if (moved) {
    try {
      await db.entities.readStates
        .put({ userId, conversationId, lastReadMessageId: target })
        .where((a, op) => `${op.notExists(a.lastReadMessageId)} OR ${op.lt(a.lastReadMessageId, target)}`)
        .go();
    } catch (e) {
      if (!isConditionalFailure(e)) throw e;
      moved = false;
    }
  }
  if (!moved) {
    const { data } = await db.entities.readStates.get({ userId, conversationId }).go({ consistent: true });
    position = data?.lastReadMessageId ?? null;
  }
  return { state: readStateOf(c, position, await mentionCount(db, c, userId, position)), moved };
}

/** A member marks a channel read; the channel must be the server's (404 otherwise, from the head read). */
export async function markChannelRead(
  db: Db,
  input: { serverId: string; channelId: string; userId: string; messageId: string },
): Promise<{ state: ReadState; moved: boolean }> {
  const c: Conversation = { kind: "channel", serverId: input.serverId, channelId: input.channelId };
  const [, head] = await Promise.all([requireMember(db, input.serverId, input.userId), readHead(db, c)]);
  return markRead(db, c, head, input.userId, input.messageId);
}

/** A participant marks a DM read. */
export async function markDmRead(
  db: Db,
  input: { conversationId: string; userId: string; messageId: string },
): Promise<{ state: ReadState; moved: boolean }> {
  const { data } = await db.entities.dmConversations.get({ conversationId: input.conversationId }).go({ consistent: true });
  if (!data || (data.first.id !== input.userId && data.second.id !== input.userId)) {
    throw new AppError("not_found", "No such conversation.");
  }
  return markRead(db, { kind: "dm", conversationId: input.conversationId }, headOf(data), input.userId, input.messageId);
}

/** Count Queries in flight at once for one `GET /read-states`. */
const COUNT_CONCURRENCY = 8;

/**
 * A read state for every channel of the caller's servers and every DM they have: their
 * memberships, read positions and DM inbox (three Queries in parallel), then each server's
 * channels (one Query per server) and the DMs' heads (BatchGet), then mention counts only for
 * the conversations that are unread (read ones have no message after the position).
 */
export async function listReadStates(db: Db, userId: string): Promise<ReadState[]> {
  const [memberships, positions, inbox] = await Promise.all([
    db.entities.members.query.byUser({ userId }).go({ pages: "all", attributes: ["serverId"] }),
    db.entities.readStates.query.byUser({ userId }).go({ pages: "all" }),
    db.entities.dmInboxes.query.byUser({ userId }).go({ pages: "all", attributes: ["conversationId"] }),
  ]);
  const [channelPages, conversations] = await Promise.all([
    Promise.all(memberships.data.map((m) => db.entities.channels.query.byServer({ serverId: m.serverId }).go({ pages: "all" }))),
    inbox.data.length
      ? getEach(
          inbox.data.map((i) => ({ conversationId: i.conversationId })),
          (keys) => db.entities.dmConversations.get(keys).go({ attributes: ["conversationId", "seq", "lastMessageId"], concurrency: 4 }),
        )
      : [],
  ]);
  const readUpTo = new Map(positions.data.map((p) => [p.conversationId, p.lastReadMessageId]));
  const entries: { c: Conversation; last: string | null; read: string | null }[] = [
    ...channelPages.flatMap((p) =>
      p.data.map((ch) => ({
        c: { kind: "channel" as const, serverId: ch.serverId, channelId: ch.channelId },
        last: headOf(ch).lastMessageId,
        read: readUpTo.get(ch.channelId) ?? null,
      })),
    ),
    ...conversations.map((dm) => ({
      c: { kind: "dm" as const, conversationId: dm.conversationId },
      last: headOf(dm).lastMessageId,
      read: readUpTo.get(dm.conversationId) ?? null,
    })),
  ];
  const states: ReadState[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      const { c, last, read } = entries[i]!;
      const unread = last !== null && (read === null || last > read);
      states[i] = readStateOf(c, read, unread ? await mentionCount(db, c, userId, read) : 0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(COUNT_CONCURRENCY, entries.length) }, worker));
  return states;
}
