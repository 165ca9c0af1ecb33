/**
 * The store's request savers: `readTogether` (items of several entities in one BatchGetItem) and
 * the request scope (writes held behind a check while reads go ahead; reads put off until the
 * request's first call, travelling inside it).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Db, DynamoClients } from "../src/index.ts";
import { itemRead, readTogether } from "../src/store/readTogether.ts";
import { deferRead, inRequestScope } from "../src/store/requestScope.ts";
import { newId } from "../src/store/ids.ts";
import { freshDb, insertUser } from "./harness.ts";

let db: Db;
let dynamo: DynamoClients;
beforeAll(async () => {
  ({ db, dynamo } = await freshDb());
});

const resetCounts = () => {
  for (const k of Object.keys(dynamo.counts)) delete dynamo.counts[k];
};

describe("readTogether", () => {
  it("reads items of different entities in one request, as each entity reads them; missing and unasked ones are null", async () => {
    const user = await insertUser(db);
    const serverId = newId();
    const channelId = newId();
    await db.entities.channels.create({ serverId, channelId, name: "general", createdAt: new Date().toISOString() }).go();
    resetCounts();
    const found = await readTogether(
      db,
      {
        user: itemRead(db.entities.users, { userId: user.userId }),
        channel: itemRead(db.entities.channels, { serverId, channelId }),
        member: itemRead(db.entities.members, { serverId, userId: user.userId }),
        skipped: undefined,
      },
      { consistent: true },
    );
    expect(dynamo.counts).toEqual({ BatchGetItem: 1 });
    expect(found.user).toEqual((await db.entities.users.get({ userId: user.userId }).go()).data);
    expect(found.channel).toMatchObject({ serverId, channelId, name: "general" });
    expect(found.member).toBeNull();
    expect(found.skipped).toBeNull();
  });

  it("reads the same key asked under two names once, and answers both", async () => {
    const user = await insertUser(db);
    const found = await readTogether(db, { a: itemRead(db.entities.users, { userId: user.userId }), b: itemRead(db.entities.users, { userId: user.userId }) });
    expect(found.a?.userId).toBe(user.userId);
    expect(found.b?.userId).toBe(user.userId);
  });

  it("builds each key as ElectroDB does, once per entity and identifiers, and no one can change a key shared between reads", () => {
    const [a, b] = [newId(), newId()];
    const first = itemRead(db.entities.members, { serverId: a, userId: b });
    expect(first.key).toEqual(db.entities.members.get({ serverId: a, userId: b }).params().Key);
    expect(itemRead(db.entities.members, { serverId: a, userId: b }).key).toBe(first.key);
    // Other identifiers, or the same ones for another entity, are other keys.
    expect(itemRead(db.entities.members, { serverId: b, userId: a }).key).toEqual(db.entities.members.get({ serverId: b, userId: a }).params().Key);
    expect(itemRead(db.entities.users, { userId: b }).key).toEqual(db.entities.users.get({ userId: b }).params().Key);
    expect(() => Object.assign(first.key, { pk: "someone else's" })).toThrow(TypeError);
  });
});

describe("a request scope", () => {
  it("sends reads at once, and a write only once the check has passed", async () => {
    const user = await insertUser(db);
    const order: string[] = [];
    let pass!: () => void;
    const check = new Promise<void>((r) => (pass = r));
    const work = inRequestScope(db.client, { gate: check, deferred: [] }, async () => {
      const read = db.entities.users.get({ userId: user.userId }).go().then(() => order.push("read"));
      const write = db.entities.users.patch({ userId: user.userId }).set({ avatarKey: "k" }).go().then(() => order.push("write"));
      await read;
      order.push("check passes");
      pass();
      await write;
    });
    await work;
    expect(order).toEqual(["read", "check passes", "write"]);
    expect((await db.entities.users.get({ userId: user.userId }).go()).data?.avatarKey).toBe("k");
  });

  it("refuses every write, as the check refused, and sends none of them", async () => {
    const user = await insertUser(db);
    resetCounts();
    const refused = new Error("session ended");
    const outcome = inRequestScope(db.client, { gate: Promise.reject(refused), deferred: [] }, () =>
      Promise.allSettled([
        db.entities.users.patch({ userId: user.userId }).set({ avatarKey: "nope" }).go(),
        db.entities.users.get({ userId: user.userId }).go(),
      ]),
    );
    const [write, read] = await outcome;
    expect(write).toMatchObject({ status: "rejected" });
    expect(String((write as PromiseRejectedResult).reason)).toContain("session ended");
    expect(read).toMatchObject({ status: "fulfilled" });
    expect(dynamo.counts).toEqual({ GetItem: 1 });
    expect((await db.entities.users.get({ userId: user.userId }).go()).data?.avatarKey).toBeUndefined();
  });
});

describe("a deferred read", () => {
  it("travels inside the scope's first readTogether: one request answers both", async () => {
    const [a, b] = [await insertUser(db), await insertUser(db)];
    const deferred = deferRead(itemRead(db.entities.users, { userId: a.userId }));
    resetCounts();
    const found = await inRequestScope(db.client, { gate: Promise.resolve(), deferred: [deferred] }, () =>
      readTogether(db, { b: itemRead(db.entities.users, { userId: b.userId }) }),
    );
    expect(dynamo.counts).toEqual({ BatchGetItem: 1 });
    expect(found.b?.userId).toBe(b.userId);
    expect((await deferred.result)?.userId).toBe(a.userId);
  });

  it("goes beside the scope's first other request, and once only", async () => {
    const a = await insertUser(db);
    const deferred = deferRead(itemRead(db.entities.users, { userId: a.userId }));
    resetCounts();
    await inRequestScope(db.client, { gate: Promise.resolve(), deferred: [deferred] }, async () => {
      await db.entities.users.query.byId({ userId: a.userId }).go();
      await db.entities.users.get({ userId: a.userId }).go();
    });
    expect((await deferred.result)?.userId).toBe(a.userId);
    expect(dynamo.counts).toEqual({ Query: 1, GetItem: 2 });
  });

  it("is sent at the end by a scope that asked DynamoDB nothing, and a missing item is null", async () => {
    const deferred = deferRead(itemRead(db.entities.users, { userId: newId() }));
    resetCounts();
    await inRequestScope(db.client, { gate: Promise.resolve(), deferred: [deferred] }, async () => "nothing asked");
    expect(await deferred.result).toBeNull();
    expect(dynamo.counts).toEqual({ GetItem: 1 });
  });
});
