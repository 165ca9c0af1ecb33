/**
 * Reactions in any kind of conversation: one `reaction` item per user, emoji and message (who
 * reacted, paged in user-id order), and the message's counts (messages/reactions.ts), changed
 * together in one change of the conversation's feed.
 */
import type { ReactionItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { nowIso } from "../store/time.ts";
import type { Stores } from "../attachments/files.ts";
import { avatarUrls } from "../attachments/present.ts";
import { assertEmoji, nextCounts, type ReactionChange } from "../messages/reactions.ts";
import { userView, type User } from "../views.ts";
import type { ConversationKind, KindTypes, RateLimit } from "./kind.ts";
import { commitChange, currentMessage, revisionOf } from "./feed.ts";

/** The outcome of a PUT or DELETE: null when it changed nothing (already so). */
export type ReactionOutcome = { change: ReactionChange; count: number; cursor: string } | null;

/**
 * PUT/DELETE …/messages/:mid/reactions/:emoji/me. One change through the feed's primitive: the
 * message's counts (and revision) and the reaction item commit with the conversation's next feed
 * position, so the counts always equal the items and the change reaches `/changes` with a cursor.
 * The message is read inside the change (after the head), so what the counts are built on is what
 * they replace. The reaction item's condition (absent for a PUT, present for a DELETE) makes a
 * repeat change nothing.
 */
export async function setReaction<T extends KindTypes>(
  stores: Stores,
  kind: ConversationKind<T>,
  ref: T["ref"],
  input: { messageId: string; userId: string; emoji: string; rateLimit?: RateLimit | undefined },
  change: ReactionChange,
): Promise<{ outcome: ReactionOutcome; audience: T["audience"] }> {
  const { db } = stores;
  const { messageId, emoji } = input;
  assertEmoji(emoji);
  const [{ caller, head, audience }] = await Promise.all([kind.enter(db, ref, input.userId), input.rateLimit?.()]);
  // Taking one's own reaction back needs nothing more than being let in.
  if (change === "added") kind.requireTo(caller, "react");
  const key = { conversationId: kind.id(ref), messageId, emoji, userId: caller.userId };
  const reactor = { userId: caller.userId, username: caller.username, userCreatedAt: caller.userCreatedAt };
  const result = await commitChange(
    db,
    kind,
    ref,
    async () => {
      const message = await currentMessage(db, kind, ref, messageId);
      // An emoji no one has added to it yet (api.md "ADD_REACTIONS").
      if (change === "added" && !message.reactions?.some((r) => r.emoji === emoji)) kind.requireTo(caller, "newReaction");
      const reactions = nextCounts(message.reactions ?? [], emoji, change);
      return {
        messageId,
        message: { kind: "updated" as const, revision: revisionOf(message), set: { reactions } },
        also: (tx) => ({
          reaction:
            change === "added"
              ? tx.reactions.create({ ...key, ...reactor, createdAt: nowIso(db.clock) } satisfies ReactionItem).commit()
              : tx.reactions.delete(key).where((a, op) => op.exists(a.userId)).commit(),
        }),
        count: reactions.find((r) => r.emoji === emoji)?.count ?? 0,
      };
    },
    { head },
  );
  if (result.committed) return { outcome: { change, count: result.plan.count, cursor: result.cursor }, audience };
  // Already reacted (PUT), or not reacted (DELETE): nothing changed, and that is a success.
  if (result.refused.has("reaction")) return { outcome: null, audience };
  throw new Error(`reaction refused by ${[...result.refused].join(", ")}`);
}

/**
 * Who reacted to the message with the emoji, in user-id order, `limit` after `after`: one Query
 * (then their avatars), alongside the caller's check and the message's read.
 */
export async function listReactors<T extends KindTypes>(
  stores: Stores,
  kind: ConversationKind<T>,
  ref: T["ref"],
  input: { messageId: string; userId: string; emoji: string; limit: number; after?: string | undefined },
): Promise<User[]> {
  const { db } = stores;
  const { messageId, emoji, limit, after } = input;
  assertEmoji(emoji);
  const [{ caller }, message, users] = await Promise.all([
    kind.enter(db, ref, input.userId),
    kind.messages.stored(db).get(kind.messages.key(ref, messageId)).go({}),
    reactors(stores, { conversationId: kind.id(ref), messageId, emoji, limit, after }),
  ]);
  kind.requireTo(caller, "history");
  if (!message.data) throw new AppError("not_found", "No such message.");
  return users;
}

/** The page of who reacted, and their avatars. */
async function reactors(
  stores: Stores,
  input: { conversationId: string; messageId: string; emoji: string; limit: number; after?: string | undefined },
): Promise<User[]> {
  const { conversationId, messageId, emoji, limit, after } = input;
  // BETWEEN on whole keys: a prefix match on 👍 would also match 👍🏽.
  const { data } = await stores.db.entities.reactions.query
    .byMessage({ conversationId, messageId })
    .between({ emoji, userId: after ?? "0" }, { emoji, userId: "~" })
    .go({ limit: limit + 1 });
  const page = data.filter((r) => r.userId !== after).slice(0, limit);
  const avatars = await avatarUrls(stores, page.map((r) => r.userId));
  return page.map((r) => userView({ userId: r.userId, username: r.username, createdAt: r.userCreatedAt }, avatars.get(r.userId) ?? null));
}
