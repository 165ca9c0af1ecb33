/**
 * A `ReadBatch` (store/readBatch.ts): reads one part of a request joins, sent by another part's
 * `readTogether`; what a send's audience lookup costs depends on nothing but these calls.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Db, DynamoClients } from "../src/index.ts";
import { itemRead, readTogether } from "../src/store/readTogether.ts";
import { ReadBatch } from "../src/store/readBatch.ts";
import { createAudienceCache } from "../src/realtime/audiences.ts";
import { newId } from "../src/store/ids.ts";
import { freshDb, insertUser } from "./harness.ts";

let db: Db;
let dynamo: DynamoClients;
beforeAll(async () => ({ db, dynamo } = await freshDb()));

/** What `run` asked DynamoDB, by operation. */
async function requestsOf(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = { ...dynamo.counts };
  await run();
  return Object.fromEntries(Object.entries(dynamo.counts).flatMap(([op, n]) => (n > (before[op] ?? 0) ? [[op, n - (before[op] ?? 0)]] : [])));
}

describe("a ReadBatch", () => {
  it("travels in the readTogether it is given: one request answers the joined reads and its own", async () => {
    const [a, b] = [await insertUser(db), await insertUser(db)];
    const batch = new ReadBatch();
    const joined = batch.join(itemRead(db.entities.users, { userId: a.userId }));
    const missing = batch.join(itemRead(db.entities.users, { userId: newId() }), { consistent: true });
    let found: { b: { userId: string } | null } = { b: null };
    expect(await requestsOf(async () => (found = await readTogether(db, { b: itemRead(db.entities.users, { userId: b.userId }) }, { batch })))).toEqual({ BatchGetItem: 1 });
    expect(found.b?.userId).toBe(b.userId);
    expect((await joined)?.userId).toBe(a.userId);
    expect(await missing).toBeNull();
  });

  it("refuses a read joined after it was sent, rather than sending it alone unseen", async () => {
    const user = await insertUser(db);
    const batch = new ReadBatch();
    await readTogether(db, { user: itemRead(db.entities.users, { userId: user.userId }) }, { batch });
    expect(() => batch.join(itemRead(db.entities.users, { userId: user.userId }))).toThrow(/after its batch was sent/);
  });

  it("sends what no request took when flushed, on its own, and only once", async () => {
    const user = await insertUser(db);
    const batch = new ReadBatch();
    const joined = batch.join(itemRead(db.entities.users, { userId: user.userId }));
    const requests = await requestsOf(async () => {
      batch.flush(db.client);
      batch.flush(db.client);
      expect((await joined)?.userId).toBe(user.userId);
    });
    expect(requests).toEqual({ GetItem: 1 });
  });

  it("carries a channel's audience token for the publisher's kept subscriber list", async () => {
    const channelId = newId();
    await db.entities.audiences.put({ channelId, token: "t1" }).go();
    const audiences = createAudienceCache(db);
    expect(await audiences.recipientsOf(channelId)).toEqual([]);
    const user = await insertUser(db);
    const batch = new ReadBatch();
    const recipients = audiences.recipientsOf(channelId, batch);
    const requests = await requestsOf(async () => {
      await readTogether(db, { user: itemRead(db.entities.users, { userId: user.userId }) }, { batch, consistent: true });
      expect(await recipients).toEqual([]);
    });
    // The token rode in the BatchGetItem and had not changed: no Query of the subscribers.
    expect(requests).toEqual({ BatchGetItem: 1 });
  });
});
