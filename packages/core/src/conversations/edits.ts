/**
 * Editing and deleting a message, in any kind of conversation: each one change of its feed
 * (feed.ts), built on the message read after the head.
 */
import { AppError } from "../errors.ts";
import { nowIso } from "../store/time.ts";
import type { Stores } from "../attachments/files.ts";
import { mentionWrites } from "../messages/mentions.ts";
import { removeMessageExtras } from "../messages/deletion.ts";
import type { ConversationKind, KindTypes, RateLimit } from "./kind.ts";
import { commitChange, currentMessage, messageBefore, revisionOf } from "./feed.ts";
import { showMessage } from "./pages.ts";

/** What to tell after a change: the message as it now is, the feed position right after the change, and who hears of it. */
export interface MessageChange<T extends KindTypes> {
  message: T["view"];
  cursor: string;
  audience: T["audience"];
}

function assertAuthor(message: { authorId: string }, userId: string, verb: "edit" | "delete") {
  if (message.authorId !== userId) throw new AppError("forbidden", `Only its author can ${verb} this message.`);
}

/** Only its author edits a message; `editedAt` marks it, and its mentions are worked out again. */
export async function editMessage<T extends KindTypes>(
  stores: Stores,
  kind: ConversationKind<T>,
  ref: T["ref"],
  input: { messageId: string; userId: string; content: string; rateLimit?: RateLimit | undefined },
): Promise<MessageChange<T>> {
  const { db } = stores;
  const [{ caller, head, audience }, mentionsBy] = await Promise.all([
    kind.check(db, ref, input.userId),
    kind.mentions(db, ref, input.content),
    input.rateLimit?.(),
  ]);
  kind.requireTo(caller, "edit");
  const result = await commitChange(
    db,
    kind,
    ref,
    async () => {
      const message = await currentMessage(db, kind, ref, input.messageId);
      assertAuthor(message, input.userId, "edit");
      const set = { content: input.content, editedAt: nowIso(db.clock), ...mentionsBy(caller) };
      const after = { ...message, ...set, revision: revisionOf(message) + 1 };
      return {
        messageId: message.messageId,
        message: { kind: "updated" as const, revision: revisionOf(message), set },
        also: (tx) => mentionWrites(tx, kind.id(ref), message, after),
        after,
      };
    },
    { head },
  );
  if (!result.committed) throw new Error("an edit has no guard to refuse it");
  return { message: await showMessage(stores, kind, ref, input.userId, result.plan.after), cursor: result.cursor, audience };
}

/**
 * Its author deletes a message, and so does whoever the kind lets delete others' (a channel's
 * moderators). Deleting the newest moves the conversation's `lastMessageId` back to the one
 * before, in the same transaction; its files and reactions go after the commit.
 */
export async function deleteMessage<T extends KindTypes>(
  stores: Stores,
  kind: ConversationKind<T>,
  ref: T["ref"],
  input: { messageId: string; userId: string },
): Promise<{ cursor: string; audience: T["audience"] }> {
  const { db } = stores;
  const { caller, head, audience } = await kind.check(db, ref, input.userId);
  const result = await commitChange(
    db,
    kind,
    ref,
    async (head) => {
      const message = await currentMessage(db, kind, ref, input.messageId);
      if (!kind.mayDeleteOthers(caller)) assertAuthor(message, input.userId, "delete");
      return {
        messageId: message.messageId,
        message: { kind: "deleted" as const },
        ...(head.lastMessageId === message.messageId ? { lastMessageId: await messageBefore(db, kind, ref, message.messageId) } : {}),
        also: (tx) => ({
          ...mentionWrites(tx, kind.id(ref), message, null),
          ...(message.authorId !== input.userId ? kind.deletedByOther?.(db, tx, ref, caller, message) : {}),
        }),
        deleted: message,
      };
    },
    { head },
  );
  if (!result.committed) throw new Error("a deletion has no guard to refuse it");
  // After the commit: a refused deletion keeps them.
  await removeMessageExtras(stores, kind.id(ref), result.plan.deleted);
  return { cursor: result.cursor, audience };
}
