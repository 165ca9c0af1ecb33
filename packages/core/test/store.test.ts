/**
 * The store's two request savers: `readTogether` (items of several entities in one BatchGetItem)
 * and `writesAfter` (writes held behind a check, while reads go ahead).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Db, DynamoClients } from "../src/index.ts";
import { itemRead, readTogether } from "../src/store/readTogether.ts";
import { writesAfter } from "../src/store/writeGate.ts";
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
});

describe("writesAfter", () => {
  it("sends reads at once, and a write only once the check has passed", async () => {
    const user = await insertUser(db);
    const order: string[] = [];
    let pass!: () => void;
    const check = new Promise<void>((r) => (pass = r));
    const work = writesAfter(check, async () => {
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
    const outcome = writesAfter(Promise.reject(refused), () =>
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
