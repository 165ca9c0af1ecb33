/**
 * One direct conversation per pair of users: its `dmPair` guard (a `uniques` item) is written
 * with the conversation and both participants' inbox entries, in one transaction.
 */
import type { Db, DmConversationItem, UserItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { getEach } from "../store/batches.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { isId } from "../schemas.ts";
import type { FileStore } from "../attachments/storage.ts";
import type { DmConversation, User } from "../views.ts";
import { showConversations } from "./inbox.ts";

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

type Participant = Omit<User, "avatarUrl" | "bot"> & { bot?: boolean };

async function twoUsers(db: Db, callerId: string, otherId: string): Promise<[Participant, Participant]> {
  const data = await getEach([{ userId: callerId }, { userId: otherId }], (keys) =>
    db.entities.users.get(keys).go({ attributes: ["userId", "username", "createdAt", "bot"] }),
  );
  const byId = new Map(data.map((u) => [u.userId, u as Pick<UserItem, "userId" | "username" | "createdAt" | "bot">]));
  const caller = byId.get(callerId);
  const other = byId.get(otherId);
  if (!caller) throw new AppError("unauthorized");
  if (!other) throw new AppError("not_found", "No such user.");
  const participant = (u: typeof caller): Participant => ({ id: u.userId, username: u.username, createdAt: u.createdAt, ...(u.bot ? { bot: true } : {}) });
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
