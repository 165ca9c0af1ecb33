/**
 * Read state (api.md "Read state, unread, mentions"): where each user has read up to in each
 * conversation, moved only forward by a conditional put, and how many messages after it mention
 * them. Message ids grow in commit order within a conversation (store/ids.ts `idAfter`), so
 * "after the read position" is a key range, and "unread" is `lastMessageId > lastReadMessageId`.
 */
import type { Db } from "../model/index.ts";
import { EVERYONE } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { isConditionalFailure } from "../store/transactions.ts";
import { isId } from "../schemas.ts";
import type { ReadState } from "../views.ts";
import type { AnyKind, ConversationKind, KindTypes } from "./kind.ts";

/** Above every ULID (Crockford base32 stops at 'Z'). */
const HIGHEST = "~";

/**
 * The messages after `after` in the conversation that mention the user: one Query of their
 * mention items (and, where `@everyone` exists, one of its items, less the user's own). A message
 * that names the user and `@everyone` too has an item in each: it is one message, counted once.
 */
export async function mentionCount(db: Db, conversation: { id: string; everyone: boolean }, userId: string, after: string | null): Promise<number> {
  const mentioning = async (mentioned: string) => {
    const { data } = await db.entities.mentions.query
      .byMentioned({ conversationId: conversation.id, userId: mentioned })
      .between({ messageId: after ?? "0" }, { messageId: HIGHEST })
      .go({ pages: "all", attributes: ["messageId", "authorId"] });
    return data.filter((m) => m.messageId !== after && m.authorId !== userId).map((m) => m.messageId);
  };
  const [own, everyone] = await Promise.all([mentioning(userId), conversation.everyone ? mentioning(EVERYONE) : []]);
  return new Set([...own, ...everyone]).size;
}

/**
 * Moves the caller's read position to `messageId`, if that is forward. A position past the
 * newest message is taken as the newest (no message after it exists yet, so reading "up to" it
 * reads everything there is); in a conversation with no messages nothing moves. `moved` says
 * whether it changed (only then are the reader's other devices told). A `messageId` that cannot
 * be one is an unknown message: 404 (api.md: a malformed id is an unknown id), found without a read.
 */
export async function markRead<T extends KindTypes>(
  db: Db,
  kind: ConversationKind<T>,
  ref: T["ref"],
  input: { userId: string; messageId: string },
): Promise<{ state: ReadState; moved: boolean }> {
  const { userId, messageId } = input;
  if (!isId(messageId)) throw new AppError("not_found", "No such message.");
  const { head } = await kind.check(db, ref, userId);
  const conversationId = kind.id(ref);
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
  const mentions = await mentionCount(db, { id: conversationId, everyone: kind.everyone }, userId, position);
  return { state: { ...kind.readStateKeys(ref), lastReadMessageId: position, mentionCount: mentions }, moved };
}

/** Count Queries in flight at once for one `GET /read-states`. */
const COUNT_CONCURRENCY = 8;

/**
 * A read state for every conversation of every kind the caller takes part in: their read
 * positions (one Query) beside each kind's list of their conversations (a channel's: memberships,
 * then each server's channels; a DM's: the inbox, then the heads), then mention counts only for
 * the conversations that are unread (read ones have no message after the position).
 */
export async function listReadStates(db: Db, userId: string, kinds: readonly AnyKind[]): Promise<ReadState[]> {
  const [positions, ...lists] = await Promise.all([
    db.entities.readStates.query.byUser({ userId }).go({ pages: "all" }),
    ...kinds.map((kind) => kind.everyConversation(db, userId)),
  ]);
  const readUpTo = new Map(positions.data.map((p) => [p.conversationId, p.lastReadMessageId]));
  const entries = lists.flatMap((list, k) =>
    list.map((c) => ({ ...c, everyone: kinds[k]!.everyone, read: readUpTo.get(c.id) ?? null })),
  );
  const states: ReadState[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      const { keys, lastMessageId, read } = entries[i]!;
      const unread = lastMessageId !== null && (read === null || lastMessageId > read);
      states[i] = { ...keys, lastReadMessageId: read, mentionCount: unread ? await mentionCount(db, entries[i]!, userId, read) : 0 };
    }
  };
  await Promise.all(Array.from({ length: Math.min(COUNT_CONCURRENCY, entries.length) }, worker));
  return states;
}
