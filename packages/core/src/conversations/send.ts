/**
 * Sending a message, in any kind of conversation: one change of its feed (feed.ts) that stores
 * the message with its mentions, its nonce's guard, its claimed uploads and what its kind adds.
 */
import { AppError } from "../errors.ts";
import { idAfter } from "../store/ids.ts";
import { itemRead } from "../store/batchGet.ts";
import type { ReadBatch } from "../store/readBatch.ts";
import type { Stores } from "../attachments/files.ts";
import { mentionWrites } from "../messages/mentions.ts";
import { claimNonce, firstSentWith } from "../messages/nonces.ts";
import { couldBeMessageId, replyRefOf } from "../messages/replies.ts";
import { attachmentsOf, claimingUploads, claimUploads, readyAttachments } from "../messages/attach.ts";
import type { ConversationKind, KindTypes, RateLimit } from "./kind.ts";
import { commitChange } from "./feed.ts";
import { avatarOf, showMessage } from "./pages.ts";

/**
 * What a send answers: the message stored, with its feed position; or, for a repeated nonce, the
 * message first sent with it (`created: false`: nothing was stored, so there is nothing to tell
 * anyone). `audience`: who hears of it (packages/functions decides with which event).
 */
export type Sent<T extends KindTypes> = ({ created: true; cursor: string } | { created: false }) & { message: T["view"]; audience: T["audience"] };

export interface SendInput {
  userId: string;
  content: string;
  nonce?: string | undefined;
  /** A message of the same conversation (else 400). */
  replyTo?: string | undefined;
  /** The sender's unused uploads for this conversation. */
  attachments?: string[] | undefined;
  /** The sender's rate limit, counted once the reads are on their way: nothing is stored unless it passes. */
  rateLimit?: RateLimit | undefined;
  /** Reads other parts of the request joined to go out with the send's first one (the audience's tokens). */
  batch?: ReadBatch | undefined;
}

/**
 * Stores a message. The caller's check, the author's user item (their avatar), a reply's
 * original and `batch` are one BatchGetItem, with the mentions' look-ups and the rate limit
 * beside it. Author facts come from the check (usernames never change). With a `nonce` this
 * author already used here within 24 hours, nothing is stored and the first message comes back.
 * A reply copies what it shows of the original; attachments are checked against the store, then
 * claimed in the change's own transaction.
 */
export async function sendMessage<T extends KindTypes>(stores: Stores, kind: ConversationKind<T>, ref: T["ref"], input: SendInput): Promise<Sent<T>> {
  const { db } = stores;
  const { replyTo } = input;
  const conversationId = kind.id(ref);
  const [entered, mentionsBy] = await Promise.all([
    kind.enter(db, ref, input.userId, {
      also: {
        author: itemRead(db.entities.users, { userId: input.userId }),
        original: replyTo && couldBeMessageId(replyTo) ? kind.messages.read(db, kind.messages.key(ref, replyTo)) : undefined,
      },
      batch: input.batch,
    }),
    kind.mentions(db, ref, input.content),
    input.rateLimit?.(),
  ]);
  const { caller, audience, also } = entered;
  kind.requireTo(caller, input.attachments?.length ? "attach" : "send");
  const avatar = avatarOf(input.userId, also.author);
  const reply = replyTo === undefined ? undefined : replyRefOf(also.original, replyTo);
  // Files go next to the message's id, which is only known inside the change: keyed by upload instead.
  const ready = await readyAttachments(stores, { ownerId: input.userId, conversationId, uploadIds: input.attachments });
  const nonce = input.nonce ? { conversationId, authorId: caller.userId, nonce: input.nonce } : null;
  const result = await claimingUploads(ready, () =>
    commitChange(
      db,
      kind,
      ref,
      (head) => {
        const now = db.clock.now();
        const item = kind.messages.create(ref, {
          messageId: idAfter(head.lastMessageId, now),
          authorId: caller.userId,
          authorUsername: caller.username,
          authorCreatedAt: caller.userCreatedAt,
          content: input.content,
          createdAt: new Date(now).toISOString(),
          revision: 1,
          ...mentionsBy(caller),
          ...(nonce ? { nonce: nonce.nonce } : {}),
          ...(reply ? { replyTo: reply } : {}),
          ...(ready ? { attachments: attachmentsOf(ready) } : {}),
        });
        return {
          messageId: item.messageId,
          message: { kind: "created" as const, item },
          lastMessageId: item.messageId,
          also: (tx) => ({
            ...(nonce ? { nonce: claimNonce(tx, db, nonce, item.messageId) } : {}),
            ...mentionWrites(tx, conversationId, null, item),
            ...claimUploads(tx, ready, item.messageId),
            ...kind.sent(tx, ref, item, entered),
          }),
        };
      },
      { head: entered.head },
    ),
  );
  if (result.committed) {
    return { created: true, message: await showMessage(stores, kind, ref, input.userId, result.plan.message.item, avatar), cursor: result.cursor, audience };
  }
  const refusal = await kind.refusal?.(db, ref, result.refused, entered);
  if (refusal) throw refusal;
  if (!nonce || !result.refused.has("nonce")) throw new Error(`sendMessage refused by ${[...result.refused].join(", ")}`);
  const firstId = await firstSentWith(db, nonce);
  const first = firstId && (await kind.messages.stored(db).get(kind.messages.key(ref, firstId)).go({ consistent: true })).data;
  if (!first) throw new AppError("not_found", "The message first sent with this nonce has been deleted.");
  return { created: false, message: await showMessage(stores, kind, ref, input.userId, first, avatar), audience };
}
