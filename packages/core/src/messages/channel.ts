import type { Db, MemberItem, MessageItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { idAfter } from "../store/ids.ts";
import { itemRead, readTogether, type Found, type ItemReads } from "../store/readTogether.ts";
import { nowIso } from "../store/time.ts";
import { readHistory, type HistoryWindow } from "./history.ts";
import { requireMember, serverNotRetired } from "../servers/access.ts";
import { assertAuthor } from "./edits.ts";
import {
  commitChange,
  currentChannelMessages,
  headOf,
  messageBefore,
  presentChanges,
  readChanges,
  revisionOf,
  type Conversation,
  type Head,
} from "./changes.ts";
import { channelMentions, mentionsEveryoneIn, mentionWrites } from "./mentions.ts";
import { claimNonce, firstSentWith } from "./nonces.ts";
import { messageView, type ChangesPage, type Message } from "../views.ts";
import type { Stores } from "../attachments/files.ts";
import { present, type KnownAvatars } from "../attachments/present.ts";
import { couldBeMessageId, replyRefOf } from "./replies.ts";
import { attachmentsOf, claimingUploads, claimUploads, readyAttachments } from "./attach.ts";
import { removeMessageExtras } from "./deletion.ts";

/** Channel messages as their viewer sees them (avatars, file URLs, their own reactions). */
export const showMessages = (stores: Stores, viewerId: string, channelId: string, items: MessageItem[], known?: KnownAvatars) =>
  present(stores, viewerId, channelId, items, messageView, known);
const showMessage = async (stores: Stores, viewerId: string, item: MessageItem, known?: KnownAvatars) =>
  (await showMessages(stores, viewerId, item.channelId, [item], known))[0]!;
/** The author's avatar key, from the user item read alongside the other reads of a send. */
export const avatarOf = (userId: string, user: { avatarKey?: string | undefined } | null): KnownAvatars => new Map([[userId, user?.avatarKey]]);

/**
 * The caller's membership and the channel (which must belong to the server), with `also`, any
 * other items the caller needs, in one BatchGetItem. Read strongly: the channel's `seq` is the
 * head a change is built on, or a feed read from.
 */
export async function memberInChannel<R extends ItemReads = {}>(
  db: Db,
  serverId: string,
  channelId: string,
  userId: string,
  also?: R,
): Promise<{ member: MemberItem; head: Head; also: Found<R> }> {
  const { member, channel, ...rest } = await readTogether(
    db,
    { ...also, member: itemRead(db.entities.members, { serverId, userId }), channel: itemRead(db.entities.channels, { serverId, channelId }) },
    { consistent: true },
  );
  if (!member) throw new AppError("not_found", "No such server.");
  if (!channel) throw new AppError("not_found", "No such channel.");
  return { member, head: headOf(channel), also: rest as Found<R> };
}

export const channelOf = (input: { serverId: string; channelId: string }): Conversation & { kind: "channel" } => ({
  kind: "channel",
  serverId: input.serverId,
  channelId: input.channelId,
});

/** What a route pushes after a change: the message as it now is, and the feed position right after the change. */
export interface MessageChange {
  message: Message;
  cursor: string;
}

/** What a send answers: the message stored with its feed position, or the first one sent with a repeated nonce. */
export type SentMessage = { created: true; message: Message; cursor: string } | { created: false; message: Message };

/** `@everyone` counts only from the server's owner; from anyone else it is plain text. */
const everyoneFrom = (member: MemberItem, content: string) => member.role === "owner" && mentionsEveryoneIn(content);

/**
 * Stores a message; the author's name and creation date are copied from the membership. With a
 * `nonce` already used by this author here within 24 hours, nothing is stored and the first
 * message comes back with `created: false` (and no cursor: nothing changed). A reply copies what
 * it shows of the original (read alongside the membership); attachments are checked against the
 * store, then claimed in the change's own transaction.
 */
export async function sendMessage(
  stores: Stores,
  input: {
    serverId: string; channelId: string; userId: string; content: string; nonce?: string | undefined;
    replyTo?: string | undefined; attachments?: string[] | undefined;
    /** The sender's rate limit, counted once the reads are on their way: nothing is stored unless it passes. */
    rateLimit?: (() => Promise<void>) | undefined;
  },
): Promise<SentMessage> {
  const { db } = stores;
  const { replyTo } = input;
  const [{ member, head, also }, mentions] = await Promise.all([
    memberInChannel(db, input.serverId, input.channelId, input.userId, {
      author: itemRead(db.entities.users, { userId: input.userId }),
      original: replyTo && couldBeMessageId(replyTo) ? itemRead(db.entities.messages, { channelId: input.channelId, messageId: replyTo }) : undefined,
    }),
    channelMentions(db, input.serverId, input.content),
    input.rateLimit?.(),
  ]);
  const { original } = also;
  const avatar = avatarOf(input.userId, also.author);
  const reply = replyTo === undefined ? undefined : replyRefOf(original, replyTo);
  // Files go next to the message's id, which is only known inside the change: keyed by upload instead.
  const ready = await readyAttachments(stores, { ownerId: input.userId, conversationId: input.channelId, uploadIds: input.attachments });
  const nonce = input.nonce ? { conversationId: input.channelId, authorId: member.userId, nonce: input.nonce } : null;
  const result = await claimingUploads(ready, () => commitChange(
    db,
    channelOf(input),
    (head) => {
      const now = db.clock.now();
      const item: MessageItem = {
        messageId: idAfter(head.lastMessageId, now),
        channelId: input.channelId,
        serverId: input.serverId,
        authorId: member.userId,
        authorUsername: member.username,
        authorCreatedAt: member.userCreatedAt,
        content: input.content,
        createdAt: new Date(now).toISOString(),
        revision: 1,
        mentions,
        mentionsEveryone: everyoneFrom(member, input.content),
        ...(nonce ? { nonce: nonce.nonce } : {}),
        ...(reply ? { replyTo: reply } : {}),
        ...(ready ? { attachments: attachmentsOf(ready) } : {}),
      };
      return {
        messageId: item.messageId,
        message: { kind: "created" as const, item },
        lastMessageId: item.messageId,
        also: (tx) => ({
          ...(nonce ? { nonce: claimNonce(tx, db, nonce, item.messageId) } : {}),
          ...mentionWrites(tx, input.channelId, null, item),
          ...claimUploads(tx, ready, item.messageId),
          // The server still exists: a message racing the server's deletion is either refused or
          // stored before the retirement, where the purge (which starts after) finds it.
          server: serverNotRetired(tx.servers, input.serverId),
        }),
      };
    },
    { head },
  ));
  if (result.committed) return { created: true, message: await showMessage(stores, input.userId, result.plan.message.item, avatar), cursor: result.cursor };
  if (result.refused.has("server")) throw new AppError("not_found", "No such server.");
  if (!nonce || !result.refused.has("nonce")) throw new Error(`sendMessage refused by ${[...result.refused].join(", ")}`);
  const firstId = await firstSentWith(db, nonce);
  const first = firstId && (await db.entities.messages.get({ channelId: input.channelId, messageId: firstId }).go({ consistent: true })).data;
  if (!first) throw new AppError("not_found", "The message first sent with this nonce has been deleted.");
  return { created: false, message: await showMessage(stores, input.userId, first, avatar) };
}

/**
 * A page of history. The Query runs alongside the authorization reads (it reveals nothing
 * unless they pass), so a page costs one round trip of latency.
 */
export async function listMessages(
  stores: Stores,
  input: { serverId: string; channelId: string; userId: string } & HistoryWindow,
): Promise<Message[]> {
  const { db } = stores;
  const [, page] = await Promise.all([
    memberInChannel(db, input.serverId, input.channelId, input.userId),
    readHistory(input, ({ from, to, order, limit }) =>
      db.entities.messages.query
        .byChannel({ channelId: input.channelId })
        .between({ messageId: from }, { messageId: to })
        .go({ order, limit, count: limit })
        .then((r) => r.data),
    ),
  ]);
  return showMessages(stores, input.userId, input.channelId, page);
}

/** The channel's message, read strongly (inside a change, after the head), or 404. */
export async function currentMessage(db: Db, input: { serverId: string; channelId: string; messageId: string }): Promise<MessageItem> {
  const { data } = await db.entities.messages.get({ channelId: input.channelId, messageId: input.messageId }).go({ consistent: true });
  if (!data || data.serverId !== input.serverId) throw new AppError("not_found", "No such message.");
  return data;
}

/** Only its author edits a message; `editedAt` marks it, and its mentions are worked out again. */
export async function editMessage(
  stores: Stores,
  input: { serverId: string; channelId: string; messageId: string; userId: string; content: string },
): Promise<MessageChange> {
  const { db } = stores;
  const [member, mentions] = await Promise.all([
    requireMember(db, input.serverId, input.userId),
    channelMentions(db, input.serverId, input.content),
  ]);
  const result = await commitChange(db, channelOf(input), async () => {
    const message = await currentMessage(db, input);
    assertAuthor(message, input.userId, "edit");
    const set = { content: input.content, editedAt: nowIso(db.clock), mentions, mentionsEveryone: everyoneFrom(member, input.content) };
    const after = { ...message, ...set, revision: revisionOf(message) + 1 };
    return {
      messageId: message.messageId,
      message: { kind: "updated" as const, revision: revisionOf(message), set },
      also: (tx) => mentionWrites(tx, input.channelId, message, after),
      after,
    };
  });
  if (!result.committed) throw new Error("an edit has no guard to refuse it");
  return { message: await showMessage(stores, input.userId, result.plan.after), cursor: result.cursor };
}

/**
 * Its author deletes a message, and so does the server's owner (moderation). Deleting the newest
 * moves the channel's `lastMessageId` back to the one before, in the same transaction.
 */
export async function deleteMessage(
  stores: Stores,
  input: { serverId: string; channelId: string; messageId: string; userId: string },
): Promise<{ cursor: string }> {
  const { db } = stores;
  const member = await requireMember(db, input.serverId, input.userId);
  const conversation = channelOf(input);
  const result = await commitChange(db, conversation, async (head) => {
    const message = await currentMessage(db, input);
    if (member.role !== "owner") assertAuthor(message, input.userId, "delete");
    return {
      messageId: message.messageId,
      message: { kind: "deleted" as const },
      ...(head.lastMessageId === message.messageId ? { lastMessageId: await messageBefore(db, conversation, message.messageId) } : {}),
      also: (tx) => mentionWrites(tx, input.channelId, message, null),
      deleted: message,
    };
  });
  if (!result.committed) throw new Error("a deletion has no guard to refuse it");
  // Its files and reactions go with it (after the commit: a refused deletion keeps them).
  await removeMessageExtras(stores, input.channelId, result.plan.deleted);
  return { cursor: result.cursor };
}

/** The channel's changes after `since` (api.md "Change feeds"); members only. */
export async function listChannelChanges(
  stores: Stores,
  input: { serverId: string; channelId: string; userId: string; since?: string | undefined; limit: number },
): Promise<ChangesPage<Message>> {
  const { db } = stores;
  const { head } = await memberInChannel(db, input.serverId, input.channelId, input.userId);
  const page = await readChanges(db, {
    conversationId: input.channelId,
    head,
    since: input.since,
    limit: input.limit,
    current: (ids) => currentChannelMessages(db, input.channelId, ids),
  });
  return presentChanges(page, (items) => showMessages(stores, input.userId, input.channelId, items));
}
