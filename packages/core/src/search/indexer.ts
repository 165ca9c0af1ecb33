/**
 * The indexer: turns a change of a stored message (its item before and after, as a DynamoDB
 * stream record carries them, NEW_AND_OLD_IMAGES) into writes of its postings. The same code runs
 * in the deployed stream Lambda (packages/functions lambda/searchIndex.ts) and in the local
 * runtime's stream reader (packages/local searchWorker.ts), and the backfill feeds it too.
 *
 * Idempotent: a posting is put whole and deleted by key, so a record applied twice, or a backfill
 * over a message the stream also indexed, leaves the same postings.
 */
import type { Db } from "../model/index.ts";
import { deleteEach, putEach } from "../store/batches.ts";
import { postingKey, postingsOf, type IndexedMessage, type Posting } from "./postings.ts";

/** A stored item as a stream record's image holds it (already unmarshalled). */
export type StoredImage = Record<string, unknown>;

/** ElectroDB's entity name on every item it writes. */
const ENTITY = "__edb_e__";

/** A message item of a channel or a DM, or nothing for any other item. */
export interface MessageImage {
  message: IndexedMessage;
  conversationId: string;
  /** A channel's server; absent for a DM (its scopes are its participants). */
  serverId?: string;
}

export function messageImage(image: StoredImage | null | undefined): MessageImage | null {
  if (!image) return null;
  const message = image as unknown as IndexedMessage & { channelId?: string; serverId?: string; conversationId?: string };
  if (image[ENTITY] === "message" && message.channelId && message.serverId) return { message, conversationId: message.channelId, serverId: message.serverId };
  if (image[ENTITY] === "dmMessage" && message.conversationId) return { message, conversationId: message.conversationId };
  return null;
}

/** The scopes a message is indexed under: its server, or each participant of its DM (read once per conversation). */
export type ScopesOf = (m: MessageImage) => Promise<string[]>;

export function scopeReader(db: Db): ScopesOf {
  const participants = new Map<string, Promise<string[]>>();
  return (m) => {
    if (m.serverId) return Promise.resolve([m.serverId]);
    let found = participants.get(m.conversationId);
    if (!found) {
      found = db.entities.dmConversations
        .get({ conversationId: m.conversationId })
        .go()
        .then((r) => (r.data ? [r.data.first.id, r.data.second.id] : []));
      participants.set(m.conversationId, found);
    }
    return found;
  };
}

async function postingsFor(image: MessageImage | null, scopes: ScopesOf): Promise<Posting[]> {
  if (!image) return [];
  return postingsOf(image.message, image.conversationId, await scopes(image));
}

/** Applies one change: postings of words gone are deleted, the current ones put. */
export async function applyChange(db: Db, before: StoredImage | null | undefined, after: StoredImage | null | undefined, scopes: ScopesOf = scopeReader(db)): Promise<{ put: number; deleted: number }> {
  const [old, now] = await Promise.all([postingsFor(messageImage(before), scopes), postingsFor(messageImage(after), scopes)]);
  const kept = new Set(now.map(postingKey));
  const gone = old.filter((p) => !kept.has(postingKey(p)));
  // An edit that changes nothing searchable (a reaction, a revision bump) rewrites nothing.
  const had = new Map(old.map((p) => [postingKey(p), JSON.stringify(p)]));
  const changed = now.filter((p) => had.get(postingKey(p)) !== JSON.stringify(p));
  const postings = db.entities.searchPostings;
  await Promise.all([
    // Unprocessed puts come back as keys: the posting is found again by its key to be put again.
    putEach(changed, async (items) => {
      const { unprocessed } = await postings.put(items).go();
      const byKey = new Map(items.map((p) => [postingKey(p), p]));
      return { unprocessed: unprocessed.map((k) => byKey.get(postingKey(k as Posting))!) };
    }),
    deleteEach(
      gone.map(({ scope, term, bucket, messageId }) => ({ scope, term, bucket, messageId })),
      (keys) => postings.delete(keys).go(),
    ),
  ]);
  return { put: changed.length, deleted: gone.length };
}
