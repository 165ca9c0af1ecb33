/**
 * Direct messages: one conversation per pair of users, each participant's inbox sorted by last
 * activity, and a message history paged like a channel's. Only the two participants may see a
 * conversation; to anyone else it does not exist (404).
 */
import type { Db, DmConversationItem, DmMessageItem, UserItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { failed, transact } from "../store/transactions.ts";
import { readHistory, type HistoryWindow } from "./history.ts";
import { assertAuthor, saveEdit } from "./edits.ts";
import { getEach } from "../store/batches.ts";
import { dmConversationView, dmMessageView, type DmConversation, type DmMessage, type User } from "../views.ts";
import type { Stores } from "../attachments/files.ts";
import { avatarUrls, present, type KnownAvatars } from "../attachments/present.ts";
import type { FileStore } from "../attachments/storage.ts";
import { couldBeMessageId, replyRefOf } from "./replies.ts";
import { authorAvatar } from "./channel.ts";
import { attachmentsOf, readyAttachments, writeMessage } from "./attach.ts";
import { removeMessageExtras } from "./deletion.ts";

/** DM messages as their viewer sees them (avatars, file URLs, their own reactions). */
export const showDmMessages = (stores: Stores, viewerId: string, conversationId: string, items: DmMessageItem[]) =>
  present(stores, viewerId, conversationId, items, dmMessageView);
const showDmMessage = async (stores: Stores, viewerId: string, item: DmMessageItem, known?: KnownAvatars) =>
  (await present(stores, viewerId, item.conversationId, [item], dmMessageView, known))[0]!;

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
): Promise<{ conversation: DmConversation; created: boolean }> {
  const show = async (c: DmConversationItem) => (await showConversations(db, files, [c]))[0]!;
  if (otherId === callerId) {
    const message = "You cannot start a conversation with yourself.";
    throw new AppError("invalid_request", message, { issues: [{ path: "userId", message }] });
  }
  const pair = pairOf(callerId, otherId);
  const existing = await conversationOfPair(db, pair);
  if (existing) return { conversation: await show(existing), created: false };

  const [caller, other] = await twoUsers(db, callerId, otherId);
  // Participants in id order, like the guard: the conversation looks the same whoever started it.
  const [first, second] = caller.id < other.id ? [caller, other] : [other, caller];
  const conversation: DmConversationItem = { conversationId: newId(), first, second, createdAt: nowIso() };
  const inbox = (userId: string) => ({ userId, conversationId: conversation.conversationId, lastActivityAt: conversation.createdAt });
  const codes = await transact(() =>
    db.transaction
      .write(({ uniques, dmConversations, dmInboxes }) => [
        uniques.create({ kind: "dmPair", value: pair, holderId: conversation.conversationId }).commit(),
        dmConversations.create(conversation).commit(),
        dmInboxes.create(inbox(first.id)).commit(),
        dmInboxes.create(inbox(second.id)).commit(),
      ])
      .go(),
  );
  if (failed(codes, 0)) {
    const winner = await conversationOfPair(db, pair);
    if (!winner) throw new Error(`dmPair guard ${pair} refused a write but cannot be read`);
    return { conversation: await show(winner), created: false };
  }
  if (codes) throw new Error(`start DM transaction canceled: ${codes.join(",")}`);
  return { conversation: await show(conversation), created: true };
}

/** The conversation, if the caller is one of its two participants; else 404, as if it did not exist. */
export async function participantsConversation(db: Db, userId: string, conversationId: string): Promise<DmConversationItem> {
  const { data } = await db.entities.dmConversations.get({ conversationId }).go();
  if (!data || (data.first.id !== userId && data.second.id !== userId)) {
    throw new AppError("not_found", "No such conversation.");
  }
  return data;
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
 * The caller's conversations, most recent activity first: one Query of their inbox (sorted by
 * last activity), then the conversations by key, 100 to a BatchGetItem.
 */
export async function listConversations(db: Db, userId: string, files?: FileStore): Promise<DmConversation[]> {
  const { data: inboxes } = await db.entities.dmInboxes.query.recent({ userId }).go({ order: "desc", pages: "all" });
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
        .go({ order, limit })
        .then((r) => r.data),
    ),
  ]);
  return showDmMessages(stores, input.userId, input.conversationId, page);
}

/**
 * Stores a message and moves the conversation up both participants' lists, in one transaction
 * (the list never disagrees with the history). The author's name is copied from the
 * conversation's participant record: usernames never change.
 */
export async function sendDmMessage(
  stores: Stores,
  input: { userId: string; conversationId: string; content: string; replyTo?: string | undefined; attachments?: string[] | undefined },
): Promise<{ message: DmMessage; participantIds: [string, string] }> {
  const { db } = stores;
  const { replyTo } = input;
  const [conversation, original, avatar] = await Promise.all([
    participantsConversation(db, input.userId, input.conversationId),
    replyTo && couldBeMessageId(replyTo)
      ? db.entities.dmMessages.get({ conversationId: input.conversationId, messageId: replyTo }).go().then((r) => r.data)
      : null,
    authorAvatar(db, input.userId),
  ]);
  const author = conversation.first.id === input.userId ? conversation.first : conversation.second;
  const participantIds: [string, string] = [conversation.first.id, conversation.second.id];
  const messageId = newId();
  const reply = replyTo === undefined ? undefined : replyRefOf(original, replyTo);
  const ready = await readyAttachments(stores, { ownerId: input.userId, conversationId: input.conversationId, messageId, uploadIds: input.attachments });
  const message: DmMessageItem = {
    conversationId: conversation.conversationId,
    messageId,
    authorId: author.id,
    authorUsername: author.username,
    authorCreatedAt: author.createdAt,
    content: input.content,
    createdAt: nowIso(),
    ...(reply ? { replyTo: reply } : {}),
    ...(ready ? { attachments: attachmentsOf(ready) } : {}),
  };
  const { conversationId, createdAt } = message;
  await writeMessage(db, messageId, ready, ({ dmMessages, dmConversations, dmInboxes }) => [
    dmMessages.create(message).commit(),
    dmConversations.patch({ conversationId }).set({ lastMessageAt: createdAt }).commit(),
    ...participantIds.map((userId) => dmInboxes.patch({ userId, conversationId }).set({ lastActivityAt: createdAt }).commit()),
  ]);
  return { message: await showDmMessage(stores, input.userId, message, avatar), participantIds };
}

/** The message, if the caller is a participant of its conversation, with the conversation and both participants' ids. */
export async function visibleDmMessage(db: Db, input: { userId: string; conversationId: string; messageId: string }) {
  const [conversation, message] = await Promise.all([
    participantsConversation(db, input.userId, input.conversationId),
    db.entities.dmMessages.get({ conversationId: input.conversationId, messageId: input.messageId }).go(),
  ]);
  if (!message.data) throw new AppError("not_found", "No such message.");
  return { conversation, message: message.data, participantIds: [conversation.first.id, conversation.second.id] as [string, string] };
}

/** Only its author edits a DM; `editedAt` marks it. */
export async function editDmMessage(
  stores: Stores,
  input: { userId: string; conversationId: string; messageId: string; content: string },
): Promise<{ message: DmMessage; participantIds: [string, string] }> {
  const { db } = stores;
  const { message, participantIds } = await visibleDmMessage(db, input);
  const edit = await saveEdit(message, input, (changes) =>
    db.entities.dmMessages.patch({ conversationId: input.conversationId, messageId: input.messageId }).set(changes).go(),
  );
  return { message: await showDmMessage(stores, input.userId, { ...message, ...edit }), participantIds };
}

/** Only its author deletes a DM: a conversation has no moderator. */
export async function deleteDmMessage(
  stores: Stores,
  input: { userId: string; conversationId: string; messageId: string },
): Promise<{ participantIds: [string, string] }> {
  const { db } = stores;
  const { message, participantIds } = await visibleDmMessage(db, input);
  assertAuthor(message, input.userId, "delete");
  await db.entities.dmMessages.delete({ conversationId: input.conversationId, messageId: input.messageId }).go();
  await removeMessageExtras(stores, input.conversationId, message);
  return { participantIds };
}
