/**
 * Items of any entities of the one table read in one BatchGetItem, each parsed back by its own
 * entity. Independent point reads sent as one request cost one round trip and one request
 * instead of one each, which is most of what DynamoDB spends on a message (docs/performance.md).
 */
import { BatchGetCommand, GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Entity, EntityIdentifiers, EntityItem } from "electrodb";
import { keyAttributes } from "./table.ts";
import { getEach } from "./batches.ts";

/** One item to read: its key as ElectroDB spells it, and how to turn the raw item back into the entity's. */
export interface ItemRead<T> {
  key: Record<string, unknown>;
  table: string;
  parse(raw: Record<string, unknown>): T | null;
}

type TableKey = { Key: Record<string, unknown>; TableName: string };
/**
 * The keys ElectroDB built, per entity: building one (`get(key).params()`, its whole clause chain)
 * was the largest part of ElectroDB's CPU in a send, which reads the same session, membership,
 * channel and roles items message after message (docs/performance.md, "Session 10"). A key is
 * a pure function of the entity and its identifiers; the cache forgets everything past its size.
 */
const builtKeys = new WeakMap<object, Map<string, TableKey>>();
const BUILT_KEYS_PER_ENTITY = 2000;

function tableKey(entity: Entity<any, any, any, any>, key: object): TableKey {
  let built = builtKeys.get(entity);
  if (!built) builtKeys.set(entity, (built = new Map()));
  const name = JSON.stringify(key);
  let found = built.get(name);
  if (!found) {
    const { Key, TableName } = entity.get(key as never).params() as TableKey;
    if (built.size >= BUILT_KEYS_PER_ENTITY) built.clear();
    // Frozen: one key object now serves many requests, and nothing may change it under another.
    built.set(name, (found = { Key: Object.freeze(Key), TableName }));
  }
  return found;
}

/** `entity.get(key)`, to be read with others. */
export function itemRead<E extends Entity<any, any, any, any>>(entity: E, key: EntityIdentifiers<E>): ItemRead<EntityItem<E>> {
  const { Key, TableName } = tableKey(entity, key);
  return { key: Key, table: TableName, parse: (raw) => entity.parse({ Item: raw }).data as EntityItem<E> | null };
}

/** One BatchGetItem holds this many keys. */
export const BATCH_GET_KEYS = 100;
const keyOf = (item: Record<string, unknown>) => `${String(item[keyAttributes.pk])}\u0000${String(item[keyAttributes.sk])}`;

/**
 * The items, in the order asked (null: missing), strongly consistent when `consistent`. A key
 * asked twice is read once; a single item is a GetItem; keys DynamoDB leaves unprocessed under load are asked again.
 */
export async function batchGet(document: DynamoDBDocumentClient, reads: ReadonlyArray<ItemRead<unknown>>, consistent = false): Promise<unknown[]> {
  if (reads.length > BATCH_GET_KEYS) throw new Error(`batchGet: ${reads.length} items, one BatchGetItem holds ${BATCH_GET_KEYS}`);
  const table = reads[0]?.table;
  if (reads.some((r) => r.table !== table)) throw new Error("batchGet: every item is of the one table");
  if (reads.length === 1) {
    // One item is a GetItem, a little cheaper to answer than a batch of one.
    const { Item } = await document.send(new GetCommand({ TableName: table, Key: reads[0]!.key, ConsistentRead: consistent }));
    return [Item ? reads[0]!.parse(Item) : null];
  }
  const keys = [...new Map(reads.map((r) => [keyOf(r.key), r.key])).values()];
  // Unprocessed keys are asked again with backoff, as every batch of the store is (batches.ts).
  const items = await getEach(keys, async (pending) => {
    const out = await document.send(new BatchGetCommand({ RequestItems: { [table!]: { Keys: pending, ConsistentRead: consistent } } }));
    return { data: out.Responses?.[table!] ?? [], unprocessed: (out.UnprocessedKeys?.[table!]?.Keys ?? []) as Record<string, unknown>[] };
  });
  const raw = new Map(items.map((item) => [keyOf(item), item]));
  return reads.map((r) => {
    const item = raw.get(keyOf(r.key));
    return item ? r.parse(item) : null;
  });
}

/** One item on its own: a GetItem (the request's deferred reads, if any, go beside it; store/client.ts). */
export async function readItem<T>(document: DynamoDBDocumentClient, read: ItemRead<T>, consistent = false): Promise<T | null> {
  const [item] = await batchGet(document, [read], consistent);
  return item as T | null;
}
