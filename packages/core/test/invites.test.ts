import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db, UserItem } from "../src/model/index.ts";
import { createServer } from "../src/servers/server.ts";
import { createInvite, getInviteInfo, joinByInvite } from "../src/servers/invites.ts";
import { kickMember, listMembers } from "../src/servers/roster.ts";
import { banUser } from "../src/servers/bans.ts";
import { addMember } from "../src/servers/joining.ts";
import { usageLimits } from "../src/limits/usage.ts";
import { freshDb, insertUser, stores, uniqueName } from "./harness.ts";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});
afterEach(() => {
  vi.useRealTimers();
});

async function serverWithInvite(invite: { maxUses?: number; expiresInSeconds?: number } = {}) {
  const owner = await insertUser(db);
  const server = await createServer(db, owner, uniqueName("Invites "));
  const created = await createInvite(db, { serverId: server.id, userId: owner.userId, ...invite }, usageLimits);
  return { owner, server, code: created.code };
}

const rosterSize = async (serverId: string, owner: UserItem) =>
  (await listMembers(stores(db), { serverId, userId: owner.userId, limit: 100 })).length;

describe("joining by invite", () => {
  it("admits exactly 5 of 20 concurrent joins on maxUses 5; the others hear invite_exhausted", async () => {
    const { owner, server, code } = await serverWithInvite({ maxUses: 5 });
    const users = await Promise.all(Array.from({ length: 20 }, () => insertUser(db)));
    const results = await Promise.allSettled(users.map((u) => joinByInvite(db, code, u.userId)));
    expect(results.filter((r) => r.status === "fulfilled" && r.value.joined)).toHaveLength(5);
    expect(results.flatMap((r) => (r.status === "rejected" ? [r.reason.code] : []))).toEqual(Array(15).fill("invite_exhausted"));
    expect(await getInviteInfo(db, code).catch((e) => e.code)).toBe("invite_exhausted");
    expect((await db.entities.invites.get({ code }).go()).data?.uses).toBe(5);
    expect(await rosterSize(server.id, owner)).toBe(6);
  });

  it("spends one use when one user joins ten times at once", async () => {
    const { code } = await serverWithInvite({ maxUses: 3 });
    const user = await insertUser(db);
    const results = await Promise.all(Array.from({ length: 10 }, () => joinByInvite(db, code, user.userId)));
    expect(results.filter((r) => r.joined)).toHaveLength(1);
    expect((await getInviteInfo(db, code)).uses).toBe(1);
  });

  it("spends no use on a member following the link again", async () => {
    const { owner, code } = await serverWithInvite({ maxUses: 1 });
    expect((await joinByInvite(db, code, owner.userId)).joined).toBeNull();
    expect((await getInviteInfo(db, code)).uses).toBe(0);
  });

  it("refuses an invite past its expiry with invite_expired, while its item still exists", async () => {
    const { code } = await serverWithInvite({ expiresInSeconds: 60 });
    const user = await insertUser(db);
    expect((await getInviteInfo(db, code)).expiresAt).not.toBeNull();
    // Only the clock moves: timers stay real, so the DynamoDB client runs as usual.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    await expect(getInviteInfo(db, code)).rejects.toMatchObject({ code: "invite_expired" });
    await expect(joinByInvite(db, code, user.userId)).rejects.toMatchObject({ code: "invite_expired" });
    expect((await db.entities.invites.get({ code }).go()).data?.uses).toBe(0);
  });

  it("admits a join a second before expiry", async () => {
    const { code } = await serverWithInvite({ expiresInSeconds: 60 });
    const user = await insertUser(db);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 59_000);
    expect((await joinByInvite(db, code, user.userId)).joined?.user.id).toBe(user.userId);
  });
});

describe("a member's invites racing their removal", () => {
  it.each([
    ["kick", (serverId: string, owner: UserItem, member: UserItem) => kickMember(db, serverId, owner.userId, member.userId)],
    ["ban", (serverId: string, owner: UserItem, member: UserItem) => banUser(db, { serverId, actorId: owner.userId, userId: member.userId })],
  ] as const)("each invite made while the member is removed (%s) is refused, or admits nobody", async (_, remove) => {
    const owner = await insertUser(db);
    const server = await createServer(db, owner, uniqueName("Racing "));
    const member = await insertUser(db);
    await addMember(db, (await db.entities.servers.get({ serverId: server.id }).go()).data!, member);
    const [made] = await Promise.all([
      Promise.allSettled(Array.from({ length: 8 }, () => createInvite(db, { serverId: server.id, userId: member.userId }, usageLimits))),
      remove(server.id, owner, member),
    ]);
    for (const outcome of made) {
      if (outcome.status === "rejected") {
        expect(outcome.reason).toMatchObject({ code: "not_found" });
        continue;
      }
      const joiner = await insertUser(db);
      await expect(joinByInvite(db, outcome.value.code, joiner.userId)).rejects.toMatchObject({ code: "invite_not_found" });
    }
    expect(await rosterSize(server.id, owner)).toBe(1);
  });
});
