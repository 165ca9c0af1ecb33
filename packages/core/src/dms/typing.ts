/**
 * `typing` in a direct conversation (docs/decisions.md, "People"): a DM has no subscriptions, so
 * the 3 s throttle is kept on the connection item, for the one conversation it last typed in
 * (someone types in one place at a time; switching conversations starts a new count).
 */
import type { Db } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { isConditionalFailure } from "../store/transactions.ts";
import { isId } from "../schemas.ts";
import { participantsConversation } from "../conversations/kinds/dm.ts";
import { userView, type User } from "../views.ts";
import { realtimeLimits, type RealtimeLimits } from "../realtime/limits.ts";

/**
 * Whether `typing` from this connection in this conversation is relayed now: to whom (the other
 * participant) and as whom. Null when dropped (within `typingIntervalMs` of the last one relayed
 * for this conversation, or the connection is gone). One conditional update stamps the connection,
 * then one read of the conversation: only a participant may send it (anyone else: `not_found`).
 */
export async function dmTypingFrom(
  db: Db,
  connectionId: string,
  conversationId: string,
  nowMs = db.clock.now(),
  limits: RealtimeLimits = realtimeLimits,
): Promise<{ typist: User; to: string } | null> {
  if (!isId(conversationId)) throw new AppError("not_found", "No such conversation.");
  let userId: string;
  try {
    const { data } = await db.entities.connections
      .patch({ connectionId })
      .set({ dmTypingIn: conversationId, dmTypingAt: nowMs })
      .where((a, op) => `NOT (${op.eq(a.dmTypingIn, conversationId)} AND ${op.gt(a.dmTypingAt, nowMs - limits.typingIntervalMs)})`)
      .go({ response: "all_new" });
    userId = data.userId!;
  } catch (e) {
    if (!isConditionalFailure(e)) throw e;
    return null;
  }
  const conversation = await participantsConversation(db, userId, conversationId);
  const [me, other] = conversation.first.id === userId ? [conversation.first, conversation.second] : [conversation.second, conversation.first];
  // `avatarUrl` stays null, as for a channel's `typing` (ws/handler.ts says why).
  return { typist: userView({ userId: me.id, username: me.username, createdAt: me.createdAt }), to: other.id };
}
