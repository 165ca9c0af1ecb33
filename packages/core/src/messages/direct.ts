/**
 * Direct messages: one conversation per pair of users, each participant's inbox sorted by last
 * activity, and a message history paged like a channel's. Only the two participants may see a
 * conversation; to anyone else it does not exist (404).
 */
import type { Db, DmConversationItem, DmMessageItem, UserItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { readHistory, type HistoryWindow } from "./history.ts";
import { assertAuthor, saveEdit } from "./edits.ts";
import { getEach } from "../store/batches.ts";
import { dmConversationView, dmMessageView, userView, type DmConversation, type DmMessage, type User } from "../views.ts";

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

async function twoUsers(db: Db, callerId: string, otherId: string): Promise<[User, User]> {
  const data = await getEach([{ userId: callerId }, { userId: otherId }], (keys) =>
    db.entities.users.get(keys).go({ attributes: ["userId", "username", "createdAt"] }),
  );
  const byId = new Map(data.map((u) => [u.userId, u as Pick<UserItem, "userId" | "username" | "createdAt">]));
  const caller = byId.get(callerId);
  const other = byId.get(otherId);
  if (!caller) throw new AppError("unauthorized");
  if (!other) throw new AppError("not_found", "No such user.");
  return [userView(caller), userView(other)];
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
  /** Runs before a new conversation is made (not when the pair has one): the start-DM rate limit. */
  beforeCreate: () => Promise<void> = async () => {},
): Promise<{ conversation: DmConversation; created: boolean }> {
  if (otherId === callerId) {
    const message = "You cannot start a conversation with yourself.";
    throw new AppError("invalid_request", message, { issues: [{ path: "userId", message }] });
  }
  const pair = pairOf(callerId, otherId);
  const existing = await conversationOfPair(db, pair);
  if (existing) return { conversation: dmConversationView(existing), created: false };
  await beforeCreate();

  const [caller, other] = await twoUsers(db, callerId, otherId);
  // Participants in id order, like the guard: the conversation looks the same whoever started it.
  const [first, second] = caller.id < other.id ? [caller, other] : [other, caller];
  const conversation: DmConversationItem = { conversationId: newId(), first, second, createdAt: nowIso() };
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
    return { conversation: dmConversationView(winner), created: false };
  }
  assertCommitted(refused, "startConversation");
  return { conversation: dmConversationView(conversation), created: true };
}

/** The conversation, if the caller is one of its two participants; else 404, as if it did not exist. */
async function participantsConversation(db: Db, userId: string, conversationId: string): Promise<DmConversationItem> {
  const { data } = await db.entities.dmConversations.get({ conversationId }).go();
  if (!data || (data.first.id !== userId && data.second.id !== userId)) {
    throw new AppError("not_found", "No such conversation.");
  }
  return data;
}

export async function getConversation(db: Db, userId: string, conversationId: string): Promise<DmConversation> {
  return dmConversationView(await participantsConversation(db, userId, conversationId));
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
export async function listConversations(db: Db, userId: string): Promise<DmConversation[]> {
  const { data: inboxes } = await db.entities.dmInboxes.query.recent({ userId }).go({ order: "desc", pages: "all" });
  if (!inboxes.length) return [];
  const conversations = await conversationsById(db, inboxes.map((i) => i.conversationId));
  return inboxes.flatMap((i) => {
    const c = conversations.get(i.conversationId);
    return c ? [dmConversationView(c)] : [];
  });
}

/** A page of the conversation's history, oldest first; the Query runs alongside the participant check. */
export async function listDmMessages(
  db: Db,
  input: { userId: string; conversationId: string } & HistoryWindow,
): Promise<DmMessage[]> {
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
  return page.map(dmMessageView);
}

/**
 * Stores a message and moves the conversation up both participants' lists, in one transaction
 * (the list never disagrees with the history). The author's name is copied from the
 * conversation's participant record: usernames never change.
 */
export async function sendDmMessage(
  db: Db,
  input: { userId: string; conversationId: string; content: string },
): Promise<{ message: DmMessage; participantIds: [string, string] }> {
  const conversation = await participantsConversation(db, input.userId, input.conversationId);
  const author = conversation.first.id === input.userId ? conversation.first : conversation.second;
  const participantIds: [string, string] = [conversation.first.id, conversation.second.id];
  const message: DmMessageItem = {
    conversationId: conversation.conversationId,
    messageId: newId(),
    authorId: author.id,
    authorUsername: author.username,
    authorCreatedAt: author.createdAt,
    content: input.content,
    createdAt: nowIso(),
  };
  const { conversationId, createdAt } = message;
  const refused = await transact(db, ({ dmMessages, dmConversations, dmInboxes }) => ({
    message: dmMessages.create(message).commit(),
    conversation: dmConversations.patch({ conversationId }).set({ lastMessageAt: createdAt }).commit(),
    firstInbox: dmInboxes.patch({ userId: participantIds[0], conversationId }).set({ lastActivityAt: createdAt }).commit(),
    secondInbox: dmInboxes.patch({ userId: participantIds[1], conversationId }).set({ lastActivityAt: createdAt }).commit(),
  }));
  assertCommitted(refused, "sendDmMessage");
  return { message: dmMessageView(message), participantIds };
}

/** The message, if the caller is a participant of its conversation, with both participants' ids. */
async function visibleDmMessage(db: Db, input: { userId: string; conversationId: string; messageId: string }) {
  const [conversation, message] = await Promise.all([
    participantsConversation(db, input.userId, input.conversationId),
    db.entities.dmMessages.get({ conversationId: input.conversationId, messageId: input.messageId }).go(),
  ]);
  if (!message.data) throw new AppError("not_found", "No such message.");
  return { message: message.data, participantIds: [conversation.first.id, conversation.second.id] as [string, string] };
}

/** Only its author edits a DM; `editedAt` marks it. */
export async function editDmMessage(
  db: Db,
  input: { userId: string; conversationId: string; messageId: string; content: string },
): Promise<{ message: DmMessage; participantIds: [string, string] }> {
  const { message, participantIds } = await visibleDmMessage(db, input);
  const edit = await saveEdit(message, input, (changes) =>
    db.entities.dmMessages.patch({ conversationId: input.conversationId, messageId: input.messageId }).set(changes).go(),
  );
  return { message: dmMessageView({ ...message, ...edit }), participantIds };
}

/** Only its author deletes a DM: a conversation has no moderator. */
export async function deleteDmMessage(
  db: Db,
  input: { userId: string; conversationId: string; messageId: string },
): Promise<{ participantIds: [string, string] }> {
  const { message, participantIds } = await visibleDmMessage(db, input);
  assertAuthor(message, input.userId, "delete");
  await db.entities.dmMessages.delete({ conversationId: input.conversationId, messageId: input.messageId }).go();
  return { participantIds };
}
