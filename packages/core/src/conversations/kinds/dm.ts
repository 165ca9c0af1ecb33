/**
 * A direct conversation as a conversation. Its two participants take part (to anyone else it does
 * not exist: 404); the `dmConversation` item is its head, and keeps the last activity too; its
 * messages are `dmMessage` items under it (model/dms.ts); every connection of both participants
 * hears of its changes; every message mentions the other participant; only its author deletes a
 * message (a conversation has no moderator). Pairs and inboxes: core/src/dms/.
 */
import type { Db, DmConversationItem, DmMessageItem } from "../../model/index.ts";
import { AppError } from "../../errors.ts";
import { getEach } from "../../store/batches.ts";
import { itemRead, readItem } from "../../store/batchGet.ts";
import { dmMessageView, type DmMessage } from "../../views.ts";
import { headOf, type Caller, type ConversationKind, type KindTypes } from "../kind.ts";
import { moveHead } from "../feed.ts";
import { readAccess } from "../access.ts";

export interface DmRef {
  conversationId: string;
}

export interface DmTypes extends KindTypes {
  ref: DmRef;
  caller: Caller & { otherId: string };
  /** Both participants, in id order. */
  audience: { userIds: [string, string] };
  key: { conversationId: string; messageId: string };
  message: DmMessageItem;
  view: DmMessage;
}

/** The conversation, if the caller is one of its two participants; else 404, as if it did not exist. */
export function asParticipant(conversation: DmConversationItem | null, userId: string): DmConversationItem {
  if (!conversation || (conversation.first.id !== userId && conversation.second.id !== userId)) {
    throw new AppError("not_found", "No such conversation.");
  }
  return conversation;
}

/** The conversation, read strongly (its `seq` is the head a change is built on), if the caller takes part in it. */
export async function participantsConversation(db: Db, userId: string, conversationId: string): Promise<DmConversationItem> {
  return asParticipant(await readItem(db.client, conversationRead(db, { conversationId }), true), userId);
}

const conversationRead = (db: Db, ref: DmRef) => itemRead(db.entities.dmConversations, { conversationId: ref.conversationId });

function entered(conversation: DmConversationItem, userId: string) {
  const [me, other] = conversation.first.id === userId ? [conversation.first, conversation.second] : [conversation.second, conversation.first];
  return {
    caller: { userId: me.id, username: me.username, userCreatedAt: me.createdAt, otherId: other.id },
    head: headOf(conversation),
    audience: { userIds: [conversation.first.id, conversation.second.id] as [string, string] },
  };
}

export const dm: ConversationKind<DmTypes> = {
  id: (ref) => ref.conversationId,

  async enter(db, ref, userId, reads = {}) {
    const { own, also } = await readAccess(db, { conversation: conversationRead(db, ref) }, reads);
    return { ...entered(asParticipant(own.conversation, userId), userId), also };
  },
  // The conversation is both the proof and the head: one read either way.
  check: async (db, ref, userId) => entered(await participantsConversation(db, userId, ref.conversationId), userId),

  head: {
    read: conversationRead,
    gone: "No such conversation.",
    // A new message is the conversation's last activity too (the participants' lists sort by it).
    write: (tx, ref, head, next) =>
      moveHead(tx.dmConversations, { conversationId: ref.conversationId }, head, next.lastMessageId, next.created ? { lastMessageAt: next.created.createdAt } : {}),
  },

  messages: {
    key: (ref, messageId) => ({ conversationId: ref.conversationId, messageId }),
    create: (ref, body) => ({ ...body, conversationId: ref.conversationId }),
    stored: (db) => db.entities.dmMessages,
    written: (tx) => tx.dmMessages,
    read: (db, key) => itemRead(db.entities.dmMessages, key),
    between: (db, ref, from, to) => db.entities.dmMessages.query.byConversation({ conversationId: ref.conversationId }).between({ messageId: from }, { messageId: to }),
  },

  view: dmMessageView,

  mentions: async () => (author) => ({ mentions: [author.otherId], mentionsEveryone: false }),
  everyone: false,

  // Both participants' lists move the conversation up, in the message's own transaction: the
  // list never disagrees with the history.
  sent: (tx, ref, message, { audience: { userIds } }) => ({
    firstInbox: tx.dmInboxes.patch({ userId: userIds[0], conversationId: ref.conversationId }).set({ lastActivityAt: message.createdAt }).commit(),
    secondInbox: tx.dmInboxes.patch({ userId: userIds[1], conversationId: ref.conversationId }).set({ lastActivityAt: message.createdAt }).commit(),
  }),

  // Both participants may do everything a conversation allows.
  requireTo: () => {},
  mayDeleteOthers: () => false,

  readStateKeys: (ref) => ({ channelId: null, conversationId: ref.conversationId }),
  // The caller's inbox, then the conversations' heads (BatchGet, 100 to a request).
  async everyConversation(db, userId) {
    const inbox = await db.entities.dmInboxes.query.byUser({ userId }).go({ pages: "all", attributes: ["conversationId"] });
    const heads = inbox.data.length
      ? await getEach(
          inbox.data.map((i) => ({ conversationId: i.conversationId })),
          (keys) => db.entities.dmConversations.get(keys).go({ attributes: ["conversationId", "seq", "lastMessageId"], concurrency: 4 }),
        )
      : [];
    return heads.map((c) => ({ id: c.conversationId, keys: dm.readStateKeys(c), lastMessageId: headOf(c).lastMessageId }));
  },
};
