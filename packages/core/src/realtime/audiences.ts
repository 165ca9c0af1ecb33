/**
 * A channel's subscribers, kept between sends. Querying them is a send's costliest read after its
 * transaction (docs/performance.md); they change far less often than messages are sent. So a
 * process keeps the list it last queried with the version it was current at (the audience item's
 * `token`, model/connections.ts) and, for each send, reads only that one item — beside the send's
 * authorization reads, in their BatchGetItem — querying again only when it has changed.
 *
 * Why a kept list is never staler than a fresh Query would be: every change to a partition's
 * subscriptions is followed by a new token, written once the change is, by the code that makes
 * every such change (subscriptions.ts); a
 * reader reads the token, strongly, *before* it queries, and files what it queried under the
 * token it read. So a list filed under the current token reflects at least every change made
 * before that token was written. A token is random, so it never comes back; the one exception is
 * "no item", which a purge returns to once the server can take no more messages.
 * A change whose token write failed is bounded by `maxAgeMs`; a connection found gone (410) is
 * dropped from every kept list at once.
 */
import { LRUCache } from "lru-cache";
import type { Db } from "../model/index.ts";
import { itemRead, readItem } from "../store/batchGet.ts";
import type { ReadBatch } from "../store/readBatch.ts";
import { channelRecipients, type Recipient } from "./recipients.ts";

export interface AudienceCacheOptions {
  /** Lists kept at most (the least recently used goes first). */
  maxEntries?: number;
  /** A kept list is queried again after this long whatever its token says. */
  maxAgeMs?: number;
}

export interface AudienceCache {
  /**
   * The channel's subscribers, as a strongly consistent Query would answer now. Its token is
   * read in `batch` when given (joined now, so call this before whatever sends the batch
   * starts), else on its own (one GetItem).
   */
  recipientsOf(channelId: string, batch?: ReadBatch): Promise<Recipient[]>;
  /**
   * The kept list of a partition (a channel, or a server's whole-server subscribers) if it was
   * queried under `token` (and not too long ago), else queried now and kept under it. Who read the
   * token (with other reads: servers/audiences.ts) calls this. A list queried again is a new object.
   */
  listUnder(partition: string, token: string): Promise<KeptList>;
  /** A connection known to be closed: out of every kept list. */
  forget(connectionId: string): void;
}

/** A partition's subscribers as queried under one token. */
export interface KeptList {
  readonly token: string;
  readonly at: number;
  recipients: Recipient[];
}

export function createAudienceCache(db: Db, options: AudienceCacheOptions = {}): AudienceCache {
  const { maxEntries = 1000, maxAgeMs = 60_000 } = options;
  const kept = new LRUCache<string, KeptList>({ max: maxEntries });
  async function listUnder(partition: string, token: string): Promise<KeptList> {
    const hit = kept.get(partition);
    if (hit && hit.token === token && Date.now() - hit.at < maxAgeMs) return hit;
    const list = { token, at: Date.now(), recipients: await channelRecipients(db, partition) };
    kept.set(partition, list);
    return list;
  }
  return {
    async recipientsOf(channelId, batch) {
      const read = itemRead(db.entities.audiences, { channelId });
      const item = batch ? batch.join(read, { consistent: true }) : readItem(db.client, read, true);
      return (await listUnder(channelId, tokenOf(await item))).recipients;
    },
    listUnder,
    forget(connectionId) {
      for (const entry of kept.values()) {
        const left = entry.recipients.filter((r) => r.connectionId !== connectionId);
        if (left.length < entry.recipients.length) entry.recipients = left;
      }
    },
  };
}

/**
 * The token a read of the audience item found. No item: nobody ever subscribed here (a server
 * without whole-server listeners), or the server is purged (which deletes it after the
 * subscriptions, and takes no more sends).
 */
export const tokenOf = (item: { token: string } | null | undefined): string => item?.token ?? "";
