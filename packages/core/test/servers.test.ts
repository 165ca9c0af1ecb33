import { beforeAll, describe, expect, it } from "vitest";
import type { Db, UserItem } from "../src/model/index.ts";
import { createServer, listMyServers } from "../src/servers/server.ts";
import { createChannel } from "../src/servers/channels.ts";
import { usageLimits } from "../src/limits/usage.ts";
import { addMember } from "../src/servers/joining.ts";
import { listMembers } from "../src/servers/roster.ts";
import { freshDb, insertUser, stores, uniqueName } from "./harness.ts";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

describe("server names", () => {
  it("let exactly one of ten simultaneous creations of one name (in different cases) win", async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => insertUser(db)));
    const name = uniqueName("Race ");
    const results = await Promise.allSettled(users.map((u, i) => createServer(db, u, i % 2 ? name.toUpperCase() : name)));
    const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [users[i]!] : []));
    expect(winners).toHaveLength(1);
    expect(results.flatMap((r) => (r.status === "rejected" ? [r.reason.code] : []))).toEqual(Array(9).fill("server_name_taken"));
    // Only the winner got a server (and its owner membership); the losers wrote nothing.
    const lists = await Promise.all(users.map((u) => listMyServers(db, u.userId)));
    expect(lists.map((l) => l.length)).toEqual(users.map((u) => (u === winners[0] ? 1 : 0)));
  });

  it("let exactly one of five simultaneous creations of one channel name win", async () => {
    const owner = await insertUser(db);
    const server = await createServer(db, owner, uniqueName("Channels "));
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => createChannel(db, server.id, owner.userId, i % 2 ? "Race" : "race", usageLimits.channels)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.flatMap((r) => (r.status === "rejected" ? [r.reason.code] : []))).toEqual(Array(4).fill("channel_name_taken"));
  });
});

describe("the roster", () => {
  it("lists the owner first, then members by username in any case, and pages after a member", async () => {
    const tag = uniqueName("");
    const owner = await insertUser(db, `zed${tag}`);
    const serverView = await createServer(db, owner, uniqueName("Roster "));
    const server = (await db.entities.servers.get({ serverId: serverView.id }).go()).data!;
    const members: UserItem[] = [];
    for (const name of [`Bob${tag}`, `carol${tag}`, `alice${tag}`, `Dave${tag}`]) {
      const user = await insertUser(db, name);
      await addMember(db, server, user);
      members.push(user);
    }
    const names = (page: { user: { username: string } }[]) => page.map((m) => m.user.username);
    const all = await listMembers(stores(db), { serverId: server.serverId, userId: owner.userId, limit: 10 });
    expect(names(all)).toEqual([`zed${tag}`, `alice${tag}`, `Bob${tag}`, `carol${tag}`, `Dave${tag}`]);
    expect(all.map((m) => m.role)).toEqual(["owner", "member", "member", "member", "member"]);

    const first = await listMembers(stores(db), { serverId: server.serverId, userId: owner.userId, limit: 2 });
    const second = await listMembers(stores(db), { serverId: server.serverId, userId: owner.userId, limit: 2, after: first.at(-1)!.user.id });
    const third = await listMembers(stores(db), { serverId: server.serverId, userId: owner.userId, limit: 2, after: second.at(-1)!.user.id });
    expect([names(first), names(second), names(third)]).toEqual([
      [`zed${tag}`, `alice${tag}`],
      [`Bob${tag}`, `carol${tag}`],
      [`Dave${tag}`],
    ]);
  });

  it("keeps one membership when one user joins ten times at once", async () => {
    const owner = await insertUser(db);
    const serverView = await createServer(db, owner, uniqueName("Joins "));
    const server = (await db.entities.servers.get({ serverId: serverView.id }).go()).data!;
    const user = await insertUser(db);
    const results = await Promise.all(Array.from({ length: 10 }, () => addMember(db, server, user)));
    expect(results.filter((m) => m !== null)).toHaveLength(1);
    const roster = await listMembers(stores(db), { serverId: server.serverId, userId: owner.userId, limit: 10 });
    expect(roster.map((m) => m.user.id)).toEqual([owner.userId, user.userId]);
  });
});
