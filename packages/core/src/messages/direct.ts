/**
 * Direct messages: one conversation per pair of users, each participant's inbox sorted by last
 * activity, and a message history paged like a channel's. Only the two participants may see a
 * conversation; to anyone else it does not exist (404).
 */
import type { Db, DmConversationItem, DmMessageItem, UserItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { idAfter, newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { readHistory, type HistoryWindow } from "./history.ts";
import { assertAuthor } from "./edits.ts";
import { getEach } from "../store/batches.ts";
import { isId } from "../schemas.ts";
import {
  commitChange,
  currentDmMessages,
  headOf,
  messageBefore,
  presentChanges,
  readChanges,
  revisionOf,
  type Conversation,
} from "./changes.ts";
import { mentionWrites } from "./mentions.ts";
import { claimNonce, firstSentWith } from "./nonces.ts";
import type { Stores } from "../attachments/files.ts";
import type { FileStore } from "../attachments/storage.ts";
import { avatarUrls, present, type KnownAvatars } from "../attachments/present.ts";
import { couldBeMessageId, replyRefOf } from "./replies.ts";
import { attachmentsOf, claimingUploads, claimUploads, readyAttachments } from "./attach.ts";
import { removeMessageExtras } from "./deletion.ts";
import { avatarOf } from "./channel.ts";
import { itemRead, readTogether } from "../store/readTogether.ts";
import {
  dmConversationView,
  dmMessageView,
  type ChangesPage,
  type DmConversation,
  type DmMessage,
  type User,
} from "../views.ts";

/** The `dmPair` guard's value: the same for both sides, whoever starts. */
const pairOf = (a: string, b: string) => [a, b].sort().join(":");

/** The conversation a pair already has, found through its guard. */
async function conversationOfPair(db: Db, pair: string): Promise<DmConversationItem | null> {
  const guard = await db.entities.uniques.get({ kind: "dmPair", value: pair }).go();
  if (!guard.data) return null;
  const { data } = await db.entities.dmConversations.get({ conversationId: guard.data.holderId }).go();
  if (!data) throw new Error(`dmPair guard ${pair} points at a missing conversation`);
  return data;
}

/** DM messages as their viewer sees them (avatars, file URLs, their own reactions). */
const showDmMessages = (stores: Stores, viewerId: string, conversationId: string, items: DmMessageItem[], known?: KnownAvatars) =>
  present(stores, viewerId, conversationId, items, dmMessageView, known);
const showDmMessage = async (stores: Stores, viewerId: string, item: DmMessageItem, known?: KnownAvatars) =>
  (await showDmMessages(stores, viewerId, item.conversationId, [item], known))[0]!;

type Participant = Omit<User, "avatarUrl">;

async function twoUsers(db: Db, callerId: string, otherId: string): Promise<[Participant, Participant]> {
  const data = await getEach([{ userId: callerId }, { userId: otherId }], (keys) =>
    db.entities.users.get(keys).go({ attributes: ["userId", "username", "createdAt"] }),
  );
  const byId = new Map(data.map((u) => [u.userId, u as Pick<UserItem, "userId" | "username" | "createdAt">]));
  const caller = byId.get(callerId);
  const other = byId.get(otherId);
  if (!caller) throw new AppError("unauthorized");
  if (!other) throw new AppError("not_found", "No such user.");
  const participant = (u: typeof caller) => ({ id: u.userId, username: u.username, createdAt: u.createdAt });
  return [participant(caller), participant(other)];
}

/**
 * Opens the pair's conversation, or finds the one it has. The guard, the conversation and both
 * inboxes are written in one transaction, so concurrent starts from either side make exactly
 * one; the losers read the winner's. An existing conversation is read first: opening a DM one
 * already has is the common case, and costs two reads instead of a failed transaction.
 */
export async function startConversation(
  db: Db,
  callerId: string,
  otherId: string,
  files?: FileStore,
  /** Runs before a new conversation is made (not when the pair has one): the start-DM rate limit. */
  beforeCreate: () => Promise<void> = async () => {},
): Promise<{ conversation: DmConversation; created: boolean }> {
  const show = async (c: DmConversationItem) => (await showConversations(db, files, [c]))[0]!;
  if (otherId === callerId) {
    const message = "You cannot start a conversation with yourself.";
    throw new AppError("invalid_request", message, { issues: [{ path: "userId", message }] });
  }
  // A malformed id is an unknown id (api.md), found without a read.
  if (!isId(otherId)) throw new AppError("not_found", "No such user.");
  const pair = pairOf(callerId, otherId);
  const existing = await conversationOfPair(db, pair);
  if (existing) return { conversation: await show(existing), created: false };
  await beforeCreate();

  const [caller, other] = await twoUsers(db, callerId, otherId);
  // Participants in id order, like the guard: the conversation looks the same whoever started it.
  const [first, second] = caller.id < other.id ? [caller, other] : [other, caller];
  const conversation: DmConversationItem = { conversationId: newId(), first, second, createdAt: nowIso(db.clock) };
  const inbox = (userId: string) => ({ userId, conversationId: conversation.conversationId, lastActivityAt: conversation.createdAt });
  const refused = await transact(db, ({ uniques, dmConversations, dmInboxes }) => ({
    pairGuard: uniques.create({ kind: "dmPair", value: pair, holderId: conversation.conversationId }).commit(),
    conversation: dmConversations.create(conversation).commit(),
    firstInbox: dmInboxes.create(inbox(first.id)).commit(),
    secondInbox: dmInboxes.create(inbox(second.id)).commit(),
  }));
  if (refused.has("pairGuard")) {
    const winner = await conversationOfPair(db, pair);
    if (!winner) throw new Error(`dmPair guard ${pair} refused a write but cannot be read`);
    return { conversation: await show(winner), created: false };
  }
  assertCommitted(refused, "startConversation");
  return { conversation: await show(conversation), created: true };
}

/**
 * The conversation, if the caller is one of its two participants; else 404, as if it did not
 * exist. Read strongly: its `seq` is the head a change is built on, or a feed read from.
 */
export async function participantsConversation(db: Db, userId: string, conversationId: string): Promise<DmConversationItem> {
  const { data } = await db.entities.dmConversations.get({ conversationId }).go({ consistent: true });
  return asParticipant(data, userId);
}

function asParticipant(conversation: DmConversationItem | null, userId: string): DmConversationItem {
  if (!conversation || (conversation.first.id !== userId && conversation.second.id !== userId)) {
    throw new AppError("not_found", "No such conversation.");
  }
  return conversation;
}

/** Conversations with their participants' current avatars (one BatchGetItem of the users, when there is a file store). */
async function showConversations(db: Db, files: FileStore | undefined, conversations: DmConversationItem[]): Promise<DmConversation[]> {
  const avatars = files ? await avatarUrls({ db, files }, conversations.flatMap((c) => [c.first.id, c.second.id])) : new Map<string, string | null>();
  return conversations.map((c) => dmConversationView(c, (id) => avatars.get(id) ?? null));
}

export async function getConversation(db: Db, userId: string, conversationId: string, files?: FileStore): Promise<DmConversation> {
  return (await showConversations(db, files, [await participantsConversation(db, userId, conversationId)]))[0]!;
}

/** The conversations by key, 100 to a BatchGetItem, retrying what DynamoDB leaves unprocessed. */
async function conversationsById(db: Db, ids: string[]): Promise<Map<string, DmConversationItem>> {
  const found = await getEach(
    ids.map((conversationId) => ({ conversationId })),
    (keys) => db.entities.dmConversations.get(keys).go({ concurrency: 4 }),
  );
  return new Map(found.map((c) => [c.conversationId, c]));
}

/**
 * A page of the caller's conversations, most recent activity first: one Query of their inbox
 * (sorted by last activity) for `limit` of them, then the conversations by key, 100 to a
 * BatchGetItem. `before` is a conversation of the page before: the page holds those whose last
 * activity is older than its (one GetItem of the caller's inbox entry for it).
 */
export async function listConversations(
  db: Db,
  userId: string,
  page: { limit: number; before?: string | undefined } = { limit: 50 },
  files?: FileStore,
): Promise<DmConversation[]> {
  let cursor: { lastActivityAt: string; conversationId: string } | undefined;
  if (page.before) {
    const { data } = await db.entities.dmInboxes.get({ userId, conversationId: page.before }).go();
    if (!data) throw new AppError("invalid_request", "before must be the id of one of your conversations.", { issues: [{ path: "before", message: "Not one of your conversations." }] });
    cursor = { lastActivityAt: data.lastActivityAt, conversationId: data.conversationId };
  }
  const recent = db.entities.dmInboxes.query.recent({ userId });
  const { data: inboxes } = await (cursor ? recent.lt(cursor) : recent).go({ order: "desc", count: page.limit });
  if (!inboxes.length) return [];
  const conversations = await conversationsById(db, inboxes.map((i) => i.conversationId));
  return showConversations(db, files, inboxes.flatMap((i) => conversations.get(i.conversationId) ?? []));
}

/** A page of the conversation's history, oldest first; the Query runs alongside the participant check. */
export async function listDmMessages(
  stores: Stores,
  input: { userId: string; conversationId: string } & HistoryWindow,
): Promise<DmMessage[]> {
  const { db } = stores;
  const [, page] = await Promise.all([
    participantsConversation(db, input.userId, input.conversationId),
    readHistory(input, ({ from, to, order, limit }) =>
      db.entities.dmMessages.query
        .byConversation({ conversationId: input.conversationId })
        .between({ messageId: from }, { messageId: to })
        .go({ order, limit, count: limit })
        .then((r) => r.data),
    ),
  ]);
  return showDmMessages(stores, input.userId, input.conversationId, page);
}

export const dmOf = (conversationId: string): Conversation & { kind: "dm" } => ({ kind: "dm", conversationId });

/** What a route pushes after a change: the message as it now is, the feed position after it, and to whom. */
export interface DmMessageChange {
  message: DmMessage;
  cursor: string;
  participantIds: [string, string];
}

/**
 * Stores a message and moves the conversation up both participants' lists, in the change's
 * transaction (the list never disagrees with the history). The author's name is copied from the
 * conversation's participant record: usernames never change. Every DM mentions the other
 * participant. A repeated `nonce` stores nothing and answers with the first message (`created: false`).
 */
export async function sendDmMessage(
  stores: Stores,
  input: {
    userId: string; conversationId: string; content: string; nonce?: string | undefined;
    replyTo?: string | undefined; attachments?: string[] | undefined;
    /** The sender's rate limit, counted once the reads are on their way: nothing is stored unless it passes. */
    rateLimit?: (() => Promise<void>) | undefined;
  },
): Promise<({ created: true; cursor: string } | { created: false }) & { message: DmMessage; participantIds: [string, string] }> {
  const { db } = stores;
  const { replyTo } = input;
  // One BatchGetItem, strongly: the conversation's `seq` is the head the message is built on.
  const [found] = await Promise.all([
    readTogether(db, {
      conversation: itemRead(db.entities.dmConversations, { conversationId: input.conversationId }),
      author: itemRead(db.entities.users, { userId: input.userId }),
      original: replyTo && couldBeMessageId(replyTo) ? itemRead(db.entities.dmMessages, { conversationId: input.conversationId, messageId: replyTo }) : undefined,
    }, { consistent: true }),
    input.rateLimit?.(),
  ]);
  const conversation = asParticipant(found.conversation, input.userId);
  const { original } = found;
  const avatar = avatarOf(input.userId, found.author);
  const reply = replyTo === undefined ? undefined : replyRefOf(original, replyTo);
  const ready = await readyAttachments(stores, { ownerId: input.userId, conversationId: input.conversationId, uploadIds: input.attachments });
  const author = conversation.first.id === input.userId ? conversation.first : conversation.second;
  const other = conversation.first.id === input.userId ? conversation.second : conversation.first;
  const participantIds: [string, string] = [conversation.first.id, conversation.second.id];
  const { conversationId } = conversation;
  const nonce = input.nonce ? { conversationId, authorId: author.id, nonce: input.nonce } : null;
  const result = await claimingUploads(ready, () => commitChange(
    db,
    dmOf(conversationId),
    (head) => {
      const now = db.clock.now();
      const item: DmMessageItem = {
        conversationId,
        messageId: idAfter(head.lastMessageId, now),
        authorId: author.id,
        authorUsername: author.username,
        authorCreatedAt: author.createdAt,
        content: input.content,
        createdAt: new Date(now).toISOString(),
        revision: 1,
        mentions: [other.id],
        mentionsEveryone: false,
        ...(nonce ? { nonce: nonce.nonce } : {}),
        ...(reply ? { replyTo: reply } : {}),
        ...(ready ? { attachments: attachmentsOf(ready) } : {}),
      };
      const { createdAt } = item;
      return {
        messageId: item.messageId,
        message: { kind: "created" as const, item },
        lastMessageId: item.messageId,
        lastMessageAt: createdAt,
        also: (tx) => ({
          ...(nonce ? { nonce: claimNonce(tx, db, nonce, item.messageId) } : {}),
          firstInbox: tx.dmInboxes.patch({ userId: participantIds[0], conversationId }).set({ lastActivityAt: createdAt }).commit(),
          secondInbox: tx.dmInboxes.patch({ userId: participantIds[1], conversationId }).set({ lastActivityAt: createdAt }).commit(),
          ...mentionWrites(tx, conversationId, null, item),
          ...claimUploads(tx, ready, item.messageId),
        }),
      };
    },
    { head: headOf(conversation) },
  ));
  if (result.committed) {
    return { created: true, message: await showDmMessage(stores, input.userId, result.plan.message.item, avatar), cursor: result.cursor, participantIds };
  }
  if (!nonce || !result.refused.has("nonce")) throw new Error(`sendDmMessage refused by ${[...result.refused].join(", ")}`);
  const firstId = await firstSentWith(db, nonce);
  const first = firstId && (await db.entities.dmMessages.get({ conversationId, messageId: firstId }).go({ consistent: true })).data;
  if (!first) throw new AppError("not_found", "The message first sent with this nonce has been deleted.");
  return { created: false, message: await showDmMessage(stores, input.userId, first, avatar), participantIds };
}

/** The DM, read strongly (inside a change, after the head), or 404. */
export async function currentDmMessage(db: Db, input: { conversationId: string; messageId: string }): Promise<DmMessageItem> {
  const { data } = await db.entities.dmMessages.get({ conversationId: input.conversationId, messageId: input.messageId }).go({ consistent: true });
  if (!data) throw new AppError("not_found", "No such message.");
  return data;
}

const participantsOf = (c: DmConversationItem): [string, string] => [c.first.id, c.second.id];

/** Only its author edits a DM; `editedAt` marks it. */
export async function editDmMessage(
  stores: Stores,
  input: { userId: string; conversationId: string; messageId: string; content: string },
): Promise<DmMessageChange> {
  const { db } = stores;
  const conversation = await participantsConversation(db, input.userId, input.conversationId);
  const result = await commitChange(
    db,
    dmOf(input.conversationId),
    async () => {
      const message = await currentDmMessage(db, input);
      assertAuthor(message, input.userId, "edit");
      const set = { content: input.content, editedAt: nowIso(db.clock) };
      return {
        messageId: message.messageId,
        message: { kind: "updated" as const, revision: revisionOf(message), set },
        after: { ...message, ...set, revision: revisionOf(message) + 1 },
      };
    },
    { head: headOf(conversation) },
  );
  if (!result.committed) throw new Error("an edit has no guard to refuse it");
  return { message: await showDmMessage(stores, input.userId, result.plan.after), cursor: result.cursor, participantIds: participantsOf(conversation) };
}

/**
 * Only its author deletes a DM: a conversation has no moderator. Deleting the newest moves the
 * conversation's `lastMessageId` back to the one before.
 */
export async function deleteDmMessage(
  stores: Stores,
  input: { userId: string; conversationId: string; messageId: string },
): Promise<{ cursor: string; participantIds: [string, string] }> {
  const { db } = stores;
  const conversation = await participantsConversation(db, input.userId, input.conversationId);
  const dm = dmOf(input.conversationId);
  const result = await commitChange(
    db,
    dm,
    async (head) => {
      const message = await currentDmMessage(db, input);
      assertAuthor(message, input.userId, "delete");
      return {
        messageId: message.messageId,
        message: { kind: "deleted" as const },
        ...(head.lastMessageId === message.messageId ? { lastMessageId: await messageBefore(db, dm, message.messageId) } : {}),
        also: (tx) => mentionWrites(tx, input.conversationId, message, null),
        deleted: message,
      };
    },
    { head: headOf(conversation) },
  );
  if (!result.committed) throw new Error("a deletion has no guard to refuse it");
  await removeMessageExtras(stores, input.conversationId, result.plan.deleted);
  return { cursor: result.cursor, participantIds: participantsOf(conversation) };
}

/** The conversation's changes after `since` (api.md "Change feeds"); participants only. */
export async function listDmChanges(
  stores: Stores,
  input: { userId: string; conversationId: string; since?: string | undefined; limit: number },
): Promise<ChangesPage<DmMessage>> {
  const { db } = stores;
  const conversation = await participantsConversation(db, input.userId, input.conversationId);
  const page = await readChanges(db, {
    conversationId: input.conversationId,
    head: headOf(conversation),
    since: input.since,
    limit: input.limit,
    current: (ids) => currentDmMessages(db, input.conversationId, ids),
  });
  return presentChanges(page, (items) => showDmMessages(stores, input.userId, input.conversationId, items));
}
