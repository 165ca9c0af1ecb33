/**
 * Roles, delegation and moderation (api.md "Communities: roles, permissions, moderation"): the
 * routes, the hierarchy on every management action, "grant only what you hold", timeouts, server
 * rename, and the audit log written with each change (and never without it).
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testApi, type TestApi, type TestServer, type TestUser } from "@agorusta/testing";
import type { PurgeWorker } from "@agorusta/local/purgeWorker";
import { recordingPublisher } from "./recordingPublisher.ts";

const P = {
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_GUILD: 1n << 5n,
  VIEW_AUDIT_LOG: 1n << 7n,
  SEND_MESSAGES: 1n << 11n,
  MANAGE_ROLES: 1n << 28n,
  MODERATE_MEMBERS: 1n << 40n,
};
const set = (...bits: bigint[]) => bits.reduce((a, b) => a | b, 0n).toString();

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  t = await testApi({ publisher });
});
beforeEach(() => publisher.clear());
const eventsOf = (type: string) => publisher.sent.flatMap((p) => ("event" in p && p.event.type === type ? [p.event] : []));

const as = (token: string, headers: Record<string, string> = {}) => ({
  createRole: (s: TestServer, body: unknown) => t.call("POST", `/servers/${s.id}/roles`, { token, body, headers }),
  editRole: (s: TestServer, roleId: string, body: unknown) => t.call("PATCH", `/servers/${s.id}/roles/${roleId}`, { token, body, headers }),
  give: (s: TestServer, userId: string, roleId: string) => t.call("PUT", `/servers/${s.id}/members/${userId}/roles/${roleId}`, { token, headers }),
  take: (s: TestServer, userId: string, roleId: string) => t.call("DELETE", `/servers/${s.id}/members/${userId}/roles/${roleId}`, { token, headers }),
  kick: (s: TestServer, userId: string) => t.call("DELETE", `/servers/${s.id}/members/${userId}`, { token, headers }),
  timeout: (s: TestServer, userId: string, timeoutUntil: string | null) =>
    t.call("PATCH", `/servers/${s.id}/members/${userId}`, { token, body: { timeoutUntil }, headers }),
  log: async (s: TestServer, query = "") => {
    const res = await t.call("GET", `/servers/${s.id}/audit-log${query}`, { token });
    // Every member joins through an invite of the owner's (the harness): those entries are not what these tests look at.
    return { ...res, body: Array.isArray(res.body) ? res.body.filter((e: { action: string }) => query.includes("invite") || e.action !== "invite_create") : res.body };
  },
});

/** A server with a "Mod" role holding `modBits`, given to a fresh member (the moderator), and two plain members. */
async function staffed(modBits: bigint[]) {
  const s = await t.server();
  const owner = as(s.owner.token);
  const mod = await t.member(s);
  const [a, b] = [await t.member(s), await t.member(s)];
  const role = (await owner.createRole(s, { name: "Mod", permissions: set(...modBits) })).body;
  expect((await owner.give(s, mod.id, role.id)).status).toBe(204);
  return { s, owner, mod, a, b, role };
}

describe("roles", () => {
  it("creates a role just above @everyone, lists @everyone first, and announces it", async () => {
    const s = await t.server();
    const first = await as(s.owner.token).createRole(s, { name: "  Helpers  ", color: 0x3366ff, hoist: true });
    expect(first).toMatchObject({ status: 201, body: { name: "Helpers", position: 1, permissions: "0", color: 0x3366ff, hoist: true, mentionable: false, serverId: s.id } });
    const second = (await as(s.owner.token).createRole(s, { name: "Newer" })).body;
    const list = (await t.call("GET", `/servers/${s.id}/roles`, { token: s.owner.token })).body as Array<{ id: string; name: string; position: number }>;
    expect(list.map((r) => [r.name, r.position])).toEqual([["@everyone", 0], ["Newer", 1], ["Helpers", 2]]);
    expect(list[0]!.id).toBe(s.id);
    expect(second.position).toBe(1);
    expect(eventsOf("role_created")).toHaveLength(2);
  });

  it("refuses a role name that is empty, too long or hidden characters; @everyone cannot be renamed or deleted", async () => {
    const s = await t.server();
    const owner = as(s.owner.token);
    for (const name of ["   ", "x".repeat(101), "a\u202Eb"]) expect((await owner.createRole(s, { name })).status).toBe(400);
    expect((await owner.createRole(s, { name: "x", permissions: "12abc" })).status).toBe(400);
    expect((await owner.editRole(s, s.id, { name: "everybody" })).status).toBe(400);
    expect((await t.call("DELETE", `/servers/${s.id}/roles/${s.id}`, { token: s.owner.token })).status).toBe(400);
  });

  it("a server made before roles answers its default @everyone and behaves as before", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const detail = (await t.call("GET", `/servers/${s.id}`, { token: m.token })).body;
    expect(detail.roles).toEqual([expect.objectContaining({ id: s.id, name: "@everyone", position: 0 })]);
    expect(BigInt(detail.permissions)).toBe((1n << 0n) | (1n << 6n) | (1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 15n) | (1n << 16n));
    expect((await t.call("POST", `/servers/${s.id}/invites`, { token: m.token, body: {} })).status).toBe(201);
    expect((await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: m.token, body: { content: "hi" } })).status).toBe(201);
    const other = await t.member(s);
    expect((await as(m.token).kick(s, other.id)).status).toBe(403);
    expect((await as(s.owner.token).kick(s, other.id)).status).toBe(204);
    expect(BigInt((await t.call("GET", `/servers/${s.id}`, { token: s.owner.token })).body.permissions)).toBeGreaterThan(0n);
  });
});

describe("hierarchy and delegation", () => {
  it("a moderator with KICK_MEMBERS kicks a lower member, not a peer, not the owner", async () => {
    const { s, owner, mod, a, b, role } = await staffed([P.KICK_MEMBERS]);
    expect((await owner.give(s, b.id, role.id)).status).toBe(204); // b is now the moderator's peer
    expect((await as(mod.token).kick(s, a.id)).status).toBe(204);
    expect((await as(mod.token).kick(s, b.id))).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    expect((await as(mod.token).kick(s, s.owner.id)).status).toBe(403);
    // Without the permission, rank alone is not enough.
    const plain = await t.member(s);
    expect((await as(plain.token).kick(s, b.id)).status).toBe(403);
  });

  it("grants only what one holds, and manages only roles below one's highest", async () => {
    const { s, owner, mod, a, role } = await staffed([P.MANAGE_ROLES, P.KICK_MEMBERS]);
    const m = as(mod.token);
    expect((await m.createRole(s, { name: "Bans", permissions: set(P.BAN_MEMBERS) })).status).toBe(403);
    const helper = await m.createRole(s, { name: "Helper", permissions: set(P.KICK_MEMBERS) });
    expect(helper).toMatchObject({ status: 201, body: { position: 1 } });
    expect((await m.editRole(s, helper.body.id, { permissions: set(P.KICK_MEMBERS, P.ADMINISTRATOR) })).status).toBe(403);
    expect((await m.editRole(s, helper.body.id, { name: "Helpers", color: 0xff0000 })).status).toBe(200);
    expect((await m.give(s, a.id, helper.body.id)).status).toBe(204);
    // Their own role is not below them: neither edited, given, nor deleted by them.
    expect((await m.editRole(s, role.id, { name: "Boss" })).status).toBe(403);
    expect((await m.give(s, a.id, role.id)).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}/roles/${role.id}`, { token: mod.token })).status).toBe(403);
    // A role above theirs cannot be reached by reordering either.
    expect((await t.call("PATCH", `/servers/${s.id}/roles`, { token: mod.token, body: [{ id: helper.body.id, position: 2 }] })).status).toBe(403);
    // The owner may grant anything, and a role holding more than the moderator may still be edited by them if they add nothing.
    const big = (await owner.createRole(s, { name: "Big", permissions: set(P.BAN_MEMBERS) })).body;
    expect((await m.editRole(s, big.id, { name: "Bigger" })).status).toBe(200);
    expect((await t.call("DELETE", `/servers/${s.id}/roles/${helper.body.id}`, { token: mod.token })).status).toBe(204);
    const member = (await t.call("GET", `/servers/${s.id}/members`, { token: s.owner.token })).body.find((x: { user: { id: string } }) => x.user.id === a.id);
    expect(member.roles ?? []).not.toContain(helper.body.id);
  });

  it("gives one role to thirty members at once: every grant lands (each bumps the server's roles version, so they take turns)", async () => {
    const s = await t.server();
    const owner = as(s.owner.token);
    const members = await Promise.all(Array.from({ length: 30 }, () => t.member(s)));
    const role = (await owner.createRole(s, { name: "Crew" })).body;
    const statuses = await Promise.all(members.map((m) => owner.give(s, m.id, role.id)));
    expect(statuses.map((r) => r.status)).toEqual(members.map(() => 204));
    const listed = (await t.call("GET", `/servers/${s.id}/members`, { token: s.owner.token })).body as Array<{ user: { id: string }; roles: string[] }>;
    const crew = listed.filter((m) => m.roles.includes(role.id)).map((m) => m.user.id);
    expect(crew.sort()).toEqual(members.map((m) => m.id).sort());
    expect((await owner.log(s, "?actionType=member_role_update&limit=100")).body).toHaveLength(30);
  });

  it("reorders: positions stay 0..n-1 without gaps or ties", async () => {
    const s = await t.server();
    const owner = as(s.owner.token);
    const [x, y, z] = [
      (await owner.createRole(s, { name: "x" })).body,
      (await owner.createRole(s, { name: "y" })).body,
      (await owner.createRole(s, { name: "z" })).body,
    ];
    const res = await t.call("PATCH", `/servers/${s.id}/roles`, { token: s.owner.token, body: [{ id: z.id, position: 3 }] });
    expect(res.status).toBe(200);
    expect(res.body.map((r: { name: string; position: number }) => [r.name, r.position])).toEqual([["@everyone", 0], ["y", 1], ["x", 2], ["z", 3]]);
    expect((await t.call("PATCH", `/servers/${s.id}/roles`, { token: s.owner.token, body: [{ id: x.id, position: 9 }] })).status).toBe(400);
    expect((await t.call("PATCH", `/servers/${s.id}/roles`, { token: s.owner.token, body: [{ id: s.id, position: 2 }] })).status).toBe(400);
    void y;
  });

  it("times out a lower member (no more sending), never an administrator, at most 28 days ahead", async () => {
    const { s, owner, mod, a } = await staffed([P.MODERATE_MEMBERS]);
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const res = await as(mod.token).timeout(s, a.id, soon);
    expect(res).toMatchObject({ status: 200, body: { user: { id: a.id }, timeoutUntil: soon } });
    expect(eventsOf("member_updated").length).toBeGreaterThan(0);
    expect((await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: a.token, body: { content: "hi" } })).status).toBe(403);
    expect((await as(mod.token).timeout(s, a.id, null))).toMatchObject({ status: 200, body: { timeoutUntil: null } });
    expect((await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: a.token, body: { content: "back" } })).status).toBe(201);
    expect((await as(mod.token).timeout(s, a.id, new Date(Date.now() + 29 * 86_400_000).toISOString())).status).toBe(400);
    expect((await as(mod.token).timeout(s, s.owner.id, soon)).status).toBe(403);
    const admin = (await owner.createRole(s, { name: "Admin", permissions: set(P.ADMINISTRATOR) })).body;
    expect((await owner.give(s, a.id, admin.id)).status).toBe(204);
    expect((await owner.timeout(s, a.id, soon)).status).toBe(403);
    // ADMINISTRATOR does not lift the hierarchy: the Admin role (made after Mod) sits below it.
    expect((await as(a.token).timeout(s, mod.id, soon)).status).toBe(403);
  });
});

describe("PATCH /servers/:id (rename)", () => {
  it("renames with MANAGE_GUILD, everyone's list shows the new name, a taken name is 409", async () => {
    const { s, mod, a } = await staffed([P.MANAGE_GUILD]);
    const fresh = `renamed ${Date.now().toString(36)}`;
    expect((await t.call("PATCH", `/servers/${s.id}`, { token: a.token, body: { name: fresh } })).status).toBe(403);
    const res = await t.call("PATCH", `/servers/${s.id}`, { token: mod.token, body: { name: fresh } });
    expect(res).toMatchObject({ status: 200, body: { id: s.id, name: fresh } });
    expect(eventsOf("server_updated").length).toBeGreaterThan(0);
    const mine = (await t.call("GET", "/servers", { token: a.token })).body;
    expect(mine.find((x: { id: string }) => x.id === s.id).name).toBe(fresh);
    const other = await t.server();
    expect((await t.call("PATCH", `/servers/${s.id}`, { token: mod.token, body: { name: other.name.toUpperCase() } })).status).toBe(409);
    // The old name is free again; the new one is held.
    expect((await t.call("POST", "/servers", { token: a.token, body: { name: s.name } })).status).toBe(201);
    expect((await t.call("POST", "/servers", { token: a.token, body: { name: fresh } })).status).toBe(409);
  });
});

describe("audit log", () => {
  it("records each change with its reason, newest first, filtered by action and by who acted", async () => {
    const { s, owner, mod, a } = await staffed([P.KICK_MEMBERS, P.VIEW_AUDIT_LOG]);
    const reason = "spamming the general channel — 2nd time";
    expect((await as(mod.token, { "X-Audit-Log-Reason": encodeURIComponent(reason) }).kick(s, a.id)).status).toBe(204);
    const log = await owner.log(s);
    expect(log.status).toBe(200);
    expect(log.body.map((e: { action: string }) => e.action)).toEqual(["member_kick", "member_role_update", "role_create"]);
    expect(log.body[0]).toMatchObject({ serverId: s.id, actorId: mod.id, targetId: a.id, reason, changes: null });
    expect((await as(mod.token).log(s, "?actionType=member_kick")).body).toHaveLength(1);
    expect((await owner.log(s, `?userId=${s.owner.id}`)).body.map((e: { action: string }) => e.action)).toEqual(["member_role_update", "role_create"]);
    expect((await owner.log(s, `?userId=${s.owner.id}&actionType=role_create`)).body).toHaveLength(1);
    expect((await owner.log(s, `?limit=1&before=${log.body[0].id}&actionType=member_role_update`)).body.map((e: { action: string }) => e.action)).toEqual(["member_role_update"]);
    expect((await owner.log(s, `?before=${log.body[1].id}`)).body.map((e: { action: string }) => e.action)).toEqual(["role_create"]);
    expect((await owner.log(s, "?actionType=nonsense")).status).toBe(400);
    const plain = await t.member(s);
    expect((await as(plain.token).log(s)).status).toBe(403);
  });

  it("refuses a bad reason with 400 before anything is written, and writes no entry for a refused change", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const badReasons = ["%E0%A4%A", encodeURIComponent("x".repeat(513)), encodeURIComponent("two\nlines")];
    for (const bad of badReasons) {
      expect((await as(s.owner.token, { "X-Audit-Log-Reason": bad }).kick(s, m.id))).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    }
    const other = await t.server();
    expect((await t.call("PATCH", `/servers/${s.id}`, { token: s.owner.token, body: { name: other.name } })).status).toBe(409);
    expect((await as(s.owner.token).log(s)).body).toEqual([]);
    expect((await t.call("GET", `/servers/${s.id}/members`, { token: s.owner.token })).body).toHaveLength(2);
  }, 120_000);

  it("records a deletion of someone else's message, not of one's own", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const post = async (token: string) => (await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token, body: { content: "hello" } })).body.id;
    const [theirs, mine] = [await post(m.token), await post(s.owner.token)];
    for (const id of [theirs, mine]) expect((await t.call("DELETE", `/servers/${s.id}/channels/${s.channelId}/messages/${id}`, { token: s.owner.token })).status).toBe(204);
    const log = (await as(s.owner.token).log(s, "?actionType=message_delete")).body;
    expect(log).toEqual([expect.objectContaining({ actorId: s.owner.id, targetId: m.id, changes: { channelId: { old: s.channelId }, messageId: { old: theirs } } })]);
  });

  it("records bans, unbans, invites and passwords", async () => {
    const s = await t.server();
    const u = await t.user();
    const owner = s.owner.token;
    await t.call("PUT", `/servers/${s.id}/bans/${u.id}`, { token: owner, body: { reason: "troll" } });
    await t.call("DELETE", `/servers/${s.id}/bans/${u.id}`, { token: owner });
    const code = (await t.call("POST", `/servers/${s.id}/invites`, { token: owner, body: {} })).body.code;
    await t.call("DELETE", `/servers/${s.id}/invites/${code}`, { token: owner });
    const pw = (await t.call("POST", `/servers/${s.id}/passwords`, { token: owner, body: { password: "open sesame please" } })).body;
    await t.call("DELETE", `/servers/${s.id}/passwords/${pw.id}`, { token: owner });
    const log = (await as(owner).log(s, "?include=invite")).body as Array<{ action: string; reason: string | null }>;
    expect(log.map((e) => e.action)).toEqual(["password_delete", "password_create", "invite_delete", "invite_create", "member_ban_remove", "member_ban_add"]);
    expect(log.at(-1)!.reason).toBe("troll");
  });
});

describe("a deleted server's purge", () => {
  it("removes its roles item and its audit log too", async () => {
    const { s, a } = await staffed([P.KICK_MEMBERS]);
    await as(s.owner.token).kick(s, a.id);
    const e = t.deps.db.entities;
    expect((await e.serverRoles.get({ serverId: s.id }).go()).data).not.toBeNull();
    expect((await e.auditEntries.query.byServer({ serverId: s.id }).go()).data.length).toBeGreaterThan(0);
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    await (t.deps.purges as PurgeWorker).idle();
    expect((await e.serverRoles.get({ serverId: s.id }).go()).data).toBeNull();
    expect((await e.auditEntries.query.byServer({ serverId: s.id }).go()).data).toEqual([]);
  });
});

void ({} as TestUser);
