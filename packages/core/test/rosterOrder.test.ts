/**
 * The roster's order is defined once (permissions/rosterOrder.ts): the web app sorts a member who
 * joins with `compareRoster`, so it must agree with the order the roster index serves.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/model/index.ts";
import { compareRoster } from "../src/permissions/rosterOrder.ts";
import { createServer } from "../src/servers/server.ts";
import { addMember } from "../src/servers/joining.ts";
import { listMembers } from "../src/servers/roster.ts";
import { freshDb, insertUser, stores, uniqueName } from "./harness.ts";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

describe("compareRoster", () => {
  it("sorts members exactly as the roster index lists them: the owner first, then usernames in any case and with any of _ . -", async () => {
    const tag = uniqueName("").toLowerCase();
    const owner = await insertUser(db, `zz${tag}`);
    const view = await createServer(db, owner, uniqueName("Order "));
    const server = (await db.entities.servers.get({ serverId: view.id }).go()).data!;
    // Every kind of character a username may hold, at the start where it decides the order.
    for (const name of [`b${tag}`, `A${tag}`, `_${tag}`, `-${tag}`, `.${tag}`, `9${tag}`, `B.${tag}`, `b-${tag}`, `Z${tag}`]) {
      await addMember(db, server, await insertUser(db, name));
    }
    const listed = await listMembers(stores(db), { serverId: server.serverId, userId: owner.userId, limit: 20 });
    const entries = listed.map((m) => ({ role: m.role, username: m.user.username }));
    expect(entries).toHaveLength(10);
    // Shuffled, then sorted by the shared order: the index's order comes back.
    const shuffled = [...entries].reverse().sort((a, b) => (a.username.length % 3) - (b.username.length % 3));
    expect(shuffled.sort(compareRoster)).toEqual(entries);
    expect(entries[0]).toEqual({ role: "owner", username: `zz${tag}` });
  });

  it("puts a higher rank first whatever the names", () => {
    const member = { role: "member" as const, username: "aaa" };
    const owner = { role: "owner" as const, username: "zzz" };
    expect([member, owner].sort(compareRoster)).toEqual([owner, member]);
    expect(compareRoster({ role: "member", username: "Bob" }, { role: "member", username: "bob" })).toBe(0);
  });
});
