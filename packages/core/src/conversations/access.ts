/**
 * How a kind's check reads what lets a caller in (kinds/*.ts `enter`): its own reads (a
 * membership and the channel; a DM's conversation), the caller's other reads (`also`: the
 * author, a reply's original) and the reads other parts of the request joined to `batch` (the
 * publisher's audience tokens), in one strongly consistent BatchGetItem, which the request's
 * session read joins too (store/readTogether.ts). A lone read with nothing beside it is one
 * GetItem, and the session's read goes beside it.
 */
import type { Db } from "../model/index.ts";
import { readItem } from "../store/batchGet.ts";
import { readTogether, type Found, type ItemReads } from "../store/readTogether.ts";
import type { ReadBatch } from "../store/readBatch.ts";

export async function readAccess<O extends ItemReads, R extends ItemReads>(
  db: Db,
  own: O,
  reads: { also?: R; batch?: ReadBatch | undefined },
): Promise<{ own: Found<O>; also: Found<R> }> {
  const [lone, ...more] = Object.entries(own);
  if (!reads.also && !reads.batch && lone && !more.length) {
    const [name, read] = lone;
    // One name, read alone: the bag holds exactly it, and nothing of `also` was asked.
    return { own: { [name]: read ? await readItem(db.client, read, true) : null } as Found<O>, also: {} as Found<R> };
  }
  const found = await readTogether(db, { ...reads.also, ...own }, { consistent: true, batch: reads.batch });
  // One bag of found items, read by both names' owners.
  return { own: found as Found<O>, also: found as Found<R> };
}
