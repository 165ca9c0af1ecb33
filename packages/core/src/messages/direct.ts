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
import {
  commitChange,
  currentDmMessages,
  headOf,
  messageBefore,
  readChanges,
  revisionOf,
  type Conversation,
} from "./changes.ts";
import { mentionWrites } from "./mentions.ts";
import { claimNonce, firstSentWith } from "./nonces.ts";
import {
  dmConversationView,
  dmMessageView,
  userView,
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
): Promise<{ conversation: DmConversation; created: boolean }> {
  if (otherId === callerId) {
    const message = "You cannot start a conversation with yourself.";
    throw new AppError("invalid_request", message, { issues: [{ path: "userId", message }] });
  }
  const pair = pairOf(callerId, otherId);
  const existing = await conversationOfPair(db, pair);
  if (existing) return { conversation: dmConversationView(existing), created: false };

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

/**
 * The conversation, if the caller is one of its two participants; else 404, as if it did not
 * exist. Read strongly: its `seq` is the head a change is built on, or a feed read from.
 */
async function participantsConversation(db: Db, userId: string, conversationId: string): Promise<DmConversationItem> {
  const { data } = await db.entities.dmConversations.get({ conversationId }).go({ consistent: true });
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

const dmOf = (conversationId: string): Conversation & { kind: "dm" } => ({ kind: "dm", conversationId });

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
  db: Db,
  input: { userId: string; conversationId: string; content: string; nonce?: string | undefined },
): Promise<({ created: true; cursor: string } | { created: false }) & { message: DmMessage; participantIds: [string, string] }> {
  const conversation = await participantsConversation(db, input.userId, input.conversationId);
  const author = conversation.first.id === input.userId ? conversation.first : conversation.second;
  const other = conversation.first.id === input.userId ? conversation.second : conversation.first;
  const participantIds: [string, string] = [conversation.first.id, conversation.second.id];
  const { conversationId } = conversation;
  const nonce = input.nonce ? { conversationId, authorId: author.id, nonce: input.nonce } : null;
  const result = await commitChange(
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
        }),
      };
    },
    { head: headOf(conversation) },
  );
  if (result.committed) return { created: true, message: dmMessageView(result.plan.message.item), cursor: result.cursor, participantIds };
  if (!nonce || !result.refused.has("nonce")) throw new Error(`sendDmMessage refused by ${[...result.refused].join(", ")}`);
  const firstId = await firstSentWith(db, nonce);
  const first = firstId && (await db.entities.dmMessages.get({ conversationId, messageId: firstId }).go({ consistent: true })).data;
  if (!first) throw new AppError("not_found", "The message first sent with this nonce has been deleted.");
  return { created: false, message: dmMessageView(first), participantIds };
}

/** The DM, read strongly (inside a change, after the head), or 404. */
async function currentDmMessage(db: Db, input: { conversationId: string; messageId: string }): Promise<DmMessageItem> {
  const { data } = await db.entities.dmMessages.get({ conversationId: input.conversationId, messageId: input.messageId }).go({ consistent: true });
  if (!data) throw new AppError("not_found", "No such message.");
  return data;
}

const participantsOf = (c: DmConversationItem): [string, string] => [c.first.id, c.second.id];

/** Only its author edits a DM; `editedAt` marks it. */
export async function editDmMessage(
  db: Db,
  input: { userId: string; conversationId: string; messageId: string; content: string },
): Promise<DmMessageChange> {
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
  return { message: dmMessageView(result.plan.after), cursor: result.cursor, participantIds: participantsOf(conversation) };
}

/**
 * Only its author deletes a DM: a conversation has no moderator. Deleting the newest moves the
 * conversation's `lastMessageId` back to the one before.
 */
export async function deleteDmMessage(
  db: Db,
  input: { userId: string; conversationId: string; messageId: string },
): Promise<{ cursor: string; participantIds: [string, string] }> {
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
      };
    },
    { head: headOf(conversation) },
  );
  if (!result.committed) throw new Error("a deletion has no guard to refuse it");
  return { cursor: result.cursor, participantIds: participantsOf(conversation) };
}

/** The conversation's changes after `since` (api.md "Change feeds"); participants only. */
export async function listDmChanges(
  db: Db,
  input: { userId: string; conversationId: string; since?: string | undefined; limit: number },
): Promise<ChangesPage<DmMessage>> {
  const conversation = await participantsConversation(db, input.userId, input.conversationId);
  const page = await readChanges(db, {
    conversationId: input.conversationId,
    head: headOf(conversation),
    since: input.since,
    limit: input.limit,
    current: (ids) => currentDmMessages(db, input.conversationId, ids),
  });
  return { ...page, changes: page.changes.map((c) => (c.type === "message" ? { type: "message", message: dmMessageView(c.message) } : c)) };
}
