/**
 * A request's independent point reads, named, in one BatchGetItem (store/batchGet.ts) — with
 * whatever reads the request has put off until its first DynamoDB call, such as its session's
 * (store/requestScope.ts), and those other parts of the request joined to the `batch` it is given
 * (store/readBatch.ts). A channel send reads the session, the membership, the channel, the author
 * and its audiences' tokens in one request.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { batchGet, BATCH_GET_KEYS, type ItemRead } from "./batchGet.ts";
import { needsConsistency, takeDeferred } from "./requestScope.ts";
import type { ReadBatch } from "./readBatch.ts";

export { itemRead, type ItemRead } from "./batchGet.ts";

/** Reads by name; a name given `undefined` is not read (and comes back null). */
export type ItemReads = Record<string, ItemRead<unknown> | undefined>;
export type Found<R> = { [N in keyof R]-?: NonNullable<R[N]> extends ItemRead<infer T> ? T | null : never };

/**
 * Reads the named items at once (at most 100), strongly consistent when `consistent` (a head a
 * change is built on must be), with the reads joined to `batch`, which this sends.
 */
export async function readTogether<R extends ItemReads>(
  db: { client: DynamoDBDocumentClient },
  reads: R,
  options: { consistent?: boolean; batch?: ReadBatch | undefined } = {},
): Promise<Found<R>> {
  const entries = Object.entries(reads).filter((e): e is [string, ItemRead<unknown>] => e[1] !== undefined);
  const joined = options.batch?.take() ?? [];
  const deferred = [...joined, ...takeDeferred(BATCH_GET_KEYS - entries.length - joined.length)];
  let items: unknown[];
  try {
    items = await batchGet(db.client, [...entries.map(([, r]) => r), ...deferred.map((d) => d.read)], (options.consistent ?? false) || needsConsistency(deferred));
  } catch (e) {
    deferred.forEach((d) => d.fail(e));
    throw e;
  }
  deferred.forEach((d, i) => d.settle(items[entries.length + i]));
  const found: Record<string, unknown> = Object.fromEntries(Object.keys(reads).map((name) => [name, null]));
  entries.forEach(([name], i) => (found[name] = items[i]));
  return found as Found<R>;
}
