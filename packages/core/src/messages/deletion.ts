import type { DmMessageItem, MessageItem } from "../model/index.ts";
import type { Stores } from "../attachments/files.ts";
import { deleteEach } from "../store/batches.ts";

/**
 * What goes with a deleted message (channel or DM): its files, and its reactions (one Query of
 * its reaction partition, then BatchWrite deletes), each skipped when the message had none.
 */
export async function removeMessageExtras(stores: Stores, conversationId: string, message: MessageItem | DmMessageItem): Promise<void> {
  const keys = (message.attachments ?? []).map((a) => a.key);
  await Promise.all([
    keys.length ? stores.files.remove(keys) : undefined,
    message.reactions?.length ? removeReactions(stores, conversationId, message.messageId) : undefined,
  ]);
}

async function removeReactions(stores: Stores, conversationId: string, messageId: string) {
  const { reactions } = stores.db.entities;
  const { data } = await reactions.query
    .byMessage({ conversationId, messageId })
    .go({ pages: "all", attributes: ["conversationId", "messageId", "emoji", "userId"] });
  await deleteEach(data, (keys) => reactions.delete(keys).go());
}
