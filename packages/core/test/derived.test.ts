/**
 * Issue 20, item 6: what is derived from an item belongs to its entity, not to each writer
 * (lower-cased names, roster ranks), and every timestamp a writer stamps comes from its Db's
 * clock (`db.clock`), never the system's behind the seam.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../src/model/index.ts";
import { register } from "../src/accounts/account.ts";
import { createServer } from "../src/servers/server.ts";
import { createChannel } from "../src/servers/channels.ts";
import { createInvite } from "../src/servers/invites.ts";
import { createServerPassword } from "../src/servers/passwords.ts";
import { banUser } from "../src/servers/bans.ts";
import { addMember } from "../src/servers/joining.ts";
import { retireServer } from "../src/servers/deletion.ts";
import { usageLimits } from "../src/limits/usage.ts";
import { newId } from "../src/store/ids.ts";
import { freshDb, insertUser, uniqueName } from "./harness.ts";

let db: Db;
let tableName: string;
let document: Parameters<typeof createDb>[0];
beforeAll(async () => {
  const fresh = await freshDb();
  ({ db, tableName } = fresh);
  document = fresh.dynamo.document;
});

describe("derived attributes", () => {
  it("a user's folded username and its initial come from the username, whatever the writer passes", async () => {
    const userId = newId();
    const username = uniqueName("MiXeD.Case_");
    await db.entities.users
      .create({ userId, username, email: `${userId}@example.com`, passwordHash: "x", createdAt: new Date(0).toISOString(), usernameLower: "wrong", usernameInitial: "w" })
      .go();
    const { data } = await db.entities.users.get({ userId }).go();
    expect(data).toMatchObject({ usernameLower: username.toLowerCase(), usernameInitial: "m" });
    // The search index is keyed by them: the user is found by a lower-case prefix.
    const found = await db.entities.users.query.byUsernamePrefix({ usernameInitial: "m" }).begins({ usernameLower: username.toLowerCase().slice(0, 8) }).go();
    expect(found.data.map((u) => u.userId)).toContain(userId);
  });

  it("a membership's roster keys come from its role (through the policy) and its username", async () => {
    const owner = await insertUser(db, uniqueName("Zed"));
    const server = (await db.entities.servers.get({ serverId: (await createServer(db, owner, uniqueName("Derived "))).id }).go()).data!;
    const joiner = await insertUser(db, uniqueName("ALICE"));
    await addMember(db, server, joiner);
    // A writer that passes wrong keys still gets the derived ones.
    const stray = await insertUser(db, uniqueName("Bob"));
    await db.entities.members
      .create({
        serverId: server.serverId, userId: stray.userId, role: "member", roleRank: "0", usernameLower: "aaaa", joinedAt: new Date(0).toISOString(),
        username: stray.username, userCreatedAt: stray.createdAt, serverName: server.name, serverOwnerId: server.ownerId, serverCreatedAt: server.createdAt,
      })
      .go();
    const { data } = await db.entities.members.query.byServer({ serverId: server.serverId }).go();
    const keys = Object.fromEntries(data.map((m) => [m.userId, [m.roleRank, m.usernameLower]]));
    expect(keys).toEqual({
      [owner.userId]: ["0", owner.username.toLowerCase()],
      [joiner.userId]: ["1", joiner.username.toLowerCase()],
      [stray.userId]: ["1", stray.username.toLowerCase()],
    });
    const roster = await db.entities.members.query.roster({ serverId: server.serverId }).go();
    expect(roster.data.map((m) => m.userId)).toEqual([owner.userId, joiner.userId, stray.userId]);
  });
});

describe("timestamps come from the Db's clock", () => {
  it("servers, channels, memberships, invites, passwords, bans, retirements, accounts and sessions are stamped by it", { timeout: 60_000 }, async () => {
    // A writer whose clock is a year and a day ahead of the system's: nothing may be stamped with the system's.
    const at = Date.now() + 366 * 24 * 3600_000;
    const ahead = createDb(document, tableName, { now: () => at });
    const stamp = new Date(at).toISOString();

    const owner = await insertUser(db);
    const server = await createServer(ahead, owner, uniqueName("Clock "));
    expect(server.createdAt).toBe(stamp);
    const serverItem = (await db.entities.servers.get({ serverId: server.id }).go()).data!;
    expect((await db.entities.members.get({ serverId: server.id, userId: owner.userId }).go()).data?.joinedAt).toBe(stamp);

    expect((await createChannel(ahead, server.id, owner.userId, "clock", usageLimits.channels)).createdAt).toBe(stamp);
    const joiner = await insertUser(db);
    expect((await addMember(ahead, serverItem, joiner))?.joinedAt).toBe(stamp);

    const invite = await createInvite(ahead, { serverId: server.id, userId: owner.userId, expiresInSeconds: 60 }, usageLimits);
    expect([invite.createdAt, invite.expiresAt]).toEqual([stamp, new Date(at + 60_000).toISOString()]);

    const password = await createServerPassword(ahead, { serverId: server.id, userId: owner.userId, password: "correct horse", expiresInSeconds: 120 }, usageLimits.serverPasswords);
    expect([password.createdAt, password.expiresAt]).toEqual([stamp, new Date(at + 120_000).toISOString()]);

    await banUser(ahead, { serverId: server.id, actorId: owner.userId, userId: joiner.userId });
    expect((await db.entities.bans.get({ serverId: server.id, userId: joiner.userId }).go()).data?.createdAt).toBe(stamp);

    await retireServer(ahead, server.id, owner.userId);
    expect((await db.entities.serverPurges.get({ serverId: server.id }).go()).data?.retiredAt).toBe(stamp);

    const name = uniqueName("clocked");
    const { user, session } = await register(ahead, { email: `${name}@example.com`, username: name, password: "correct horse battery" });
    expect(user.createdAt).toBe(stamp);
    expect(session.expiresAt).toBeGreaterThan(Math.floor(at / 1000));
    expect((await db.entities.sessions.get({ userId: user.userId, sessionId: session.sessionId }).go()).data?.createdAt).toBe(stamp);
  });
});
