/**
 * Items of different entities read in one BatchGetItem. A request's authorization reads (the
 * membership, the channel, the author) are independent point reads: sent as one request they
 * cost one round trip and one request instead of one request each, which is most of what
 * DynamoDB spends on a message (docs/performance.md).
 */
import { BatchGetCommand } from "@aws-sdk/lib-dynamodb";
import type { Entity, EntityIdentifiers, EntityItem } from "electrodb";
import type { Db } from "../model/index.ts";
import { keyAttributes } from "./table.ts";

/** One item to read: its key as ElectroDB spells it, and how to turn the raw item back into the entity's. */
export interface ItemRead<T> {
  key: Record<string, unknown>;
  table: string;
  parse(raw: Record<string, unknown>): T | null;
}

/** `entity.get(key)`, to be read with others by `readTogether`. */
export function itemRead<E extends Entity<any, any, any, any>>(entity: E, key: EntityIdentifiers<E>): ItemRead<EntityItem<E>> {
  const { Key, TableName } = entity.get(key).params() as { Key: Record<string, unknown>; TableName: string };
  return { key: Key, table: TableName, parse: (raw) => entity.parse({ Item: raw }).data as EntityItem<E> | null };
}

/** Reads by name; a name given `undefined` is not read (and comes back null). */
export type ItemReads = Record<string, ItemRead<unknown> | undefined>;
export type Found<R> = { [N in keyof R]-?: NonNullable<R[N]> extends ItemRead<infer T> ? T | null : never };

const ATTEMPTS = 5;
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** attempt));
const keyOf = (item: Record<string, unknown>) => `${String(item[keyAttributes.pk])}\u0000${String(item[keyAttributes.sk])}`;

/**
 * Reads the named items at once (at most 100: one BatchGetItem), strongly consistent when
 * `consistent` (a head a change is built on must be). Missing items come back as null; keys
 * DynamoDB leaves unprocessed under load are asked again.
 */
export async function readTogether<R extends ItemReads>(db: Db, reads: R, options: { consistent?: boolean } = {}): Promise<Found<R>> {
  const entries = Object.entries(reads).filter((e): e is [string, ItemRead<unknown>] => e[1] !== undefined);
  if (entries.length > 100) throw new Error(`readTogether: ${entries.length} items, one BatchGetItem holds 100`);
  const table = entries[0]?.[1].table;
  if (entries.some(([, r]) => r.table !== table)) throw new Error("readTogether: every item is of the one table");
  const raw = new Map<string, Record<string, unknown>>();
  let pending = [...new Map(entries.map(([, r]) => [keyOf(r.key), r.key])).values()];
  for (let attempt = 1; pending.length && table; attempt++) {
    if (attempt > ATTEMPTS) throw new Error(`${pending.length} reads left unprocessed after ${ATTEMPTS} batches`);
    if (attempt > 1) await backoff(attempt);
    const out = await db.client.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: options.consistent ?? false } } }));
    for (const item of out.Responses?.[table] ?? []) raw.set(keyOf(item), item);
    pending = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
  }
  const found: Record<string, unknown> = Object.fromEntries(Object.keys(reads).map((name) => [name, null]));
  for (const [name, read] of entries) {
    const item = raw.get(keyOf(read.key));
    found[name] = item ? read.parse(item) : null;
  }
  return found as Found<R>;
}
