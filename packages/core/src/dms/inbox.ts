/**
 * A user's direct conversations: each participant's inbox, sorted by last activity, and one
 * conversation as its participants see it. Only the two participants may see a conversation; to
 * anyone else it does not exist (404). Its messages are a conversation like any other
 * (conversations/, kind `dm`).
 */
import type { Db, DmConversationItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { getEach } from "../store/batches.ts";
import type { FileStore } from "../attachments/storage.ts";
import { avatarUrls } from "../attachments/present.ts";
import { participantsConversation } from "../conversations/kinds/dm.ts";
import { dmConversationView, type DmConversation } from "../views.ts";

/** Conversations with their participants' current avatars (one BatchGetItem of the users, when there is a file store). */
export async function showConversations(db: Db, files: FileStore | undefined, conversations: DmConversationItem[]): Promise<DmConversation[]> {
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
