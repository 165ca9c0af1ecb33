/**
 * Bans (api.md "Sessions and safety"): the owner bans a user, who stops being a member (with the
 * events of a kick) and cannot join again by invite or password (403 banned) until unbanned.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  t = await testApi({ publisher });
});
beforeEach(() => publisher.clear());

const ban = (s: { id: string }, token: string, userId: string, body: unknown = {}) =>
  t.call("PUT", `/servers/${s.id}/bans/${userId}`, { token, body });
const rosterIds = async (s: { id: string; owner: { token: string } }) =>
  (await t.call("GET", `/servers/${s.id}/members`, { token: s.owner.token })).body.map((m: { user: { id: string } }) => m.user.id);
const invite = async (s: { id: string; owner: { token: string } }) =>
  (await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} })).body.code as string;

describe("PUT /servers/:id/bans/:userId", () => {
  it("removes the member as a kick does, with member_left to the server and to them, and lists the ban", async () => {
    const s = await t.server();
    const m = await t.member(s);
    publisher.clear();
    expect((await ban(s, s.owner.token, m.id, { reason: "spam, twice" })).status).toBe(204);
    expect(await rosterIds(s)).toEqual([s.owner.id]);
    expect((await t.call("GET", `/servers/${s.id}`, { token: m.token })).status).toBe(404);
    expect(publisher.sent).toEqual([
      { to: "server", serverId: s.id, event: { type: "member_left", serverId: s.id, userId: m.id }, alsoUserIds: [m.id] },
    ]);
    const list = await t.call("GET", `/servers/${s.id}/bans`, { token: s.owner.token });
    expect(list).toMatchObject({ status: 200 });
    expect(list.body).toEqual([{ user: { id: m.id, username: m.username, createdAt: m.createdAt, avatarUrl: null, bot: false }, reason: "spam, twice", createdAt: expect.any(String) }]);
  });

  it("keeps a non-member out before they come, announcing nothing; a second ban updates the reason", async () => {
    const s = await t.server();
    const u = await t.user();
    expect((await ban(s, s.owner.token, u.id)).status).toBe(204);
    expect(publisher.sent).toEqual([]);
    expect((await ban(s, s.owner.token, u.id, { reason: "again" })).status).toBe(204);
    const list = (await t.call("GET", `/servers/${s.id}/bans`, { token: s.owner.token })).body;
    expect(list).toEqual([{ user: expect.objectContaining({ id: u.id }), reason: "again", createdAt: expect.any(String) }]);
  });

  it("refuses joining again by invite or by password with 403 banned, until the ban is lifted", async () => {
    const s = await t.server();
    await t.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password: "let me in please" } });
    const m = await t.member(s);
    await ban(s, s.owner.token, m.id);
    const byInvite = await t.call("POST", `/invites/${await invite(s)}/join`, { token: m.token });
    expect(byInvite).toMatchObject({ status: 403, body: { error: { code: "banned" } } });
    const byPassword = await t.call("POST", "/servers/join", { token: m.token, body: { name: s.name, password: "let me in please" } });
    expect(byPassword).toMatchObject({ status: 403, body: { error: { code: "banned" } } });
    expect(await rosterIds(s)).toEqual([s.owner.id]);

    expect((await t.call("DELETE", `/servers/${s.id}/bans/${m.id}`, { token: s.owner.token })).status).toBe(204);
    expect((await t.call("GET", `/servers/${s.id}/bans`, { token: s.owner.token })).body).toEqual([]);
    expect((await t.call("POST", `/invites/${await invite(s)}/join`, { token: m.token })).status).toBe(200);
    expect(await rosterIds(s)).toContain(m.id);
  });

  it("a banned user's join consumes no invite use", async () => {
    const s = await t.server();
    const u = await t.user();
    await ban(s, s.owner.token, u.id);
    const code = (await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: { maxUses: 1 } })).body.code;
    expect((await t.call("POST", `/invites/${code}/join`, { token: u.token })).status).toBe(403);
    expect((await t.call("GET", `/invites/${code}`, { token: u.token })).body.uses).toBe(0);
  });

  it("holds when the join and the ban race: the user never ends up a member", async () => {
    const s = await t.server();
    const code = await invite(s);
    const users = await Promise.all(Array.from({ length: 8 }, () => t.user()));
    await Promise.all(
      users.map(async (u) => {
        await Promise.all([t.call("POST", `/invites/${code}/join`, { token: u.token }), ban(s, s.owner.token, u.id)]);
      }),
    );
    expect(await rosterIds(s)).toEqual([s.owner.id]);
  });

  it("is the owner's alone: 403 for a member, 404 for a stranger; 400 for oneself or a long reason; 404 for an unknown user", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const other = await t.user();
    expect((await ban(s, m.token, other.id)).status).toBe(403);
    expect((await ban(s, other.token, m.id)).status).toBe(404);
    expect((await t.call("GET", `/servers/${s.id}/bans`, { token: m.token })).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}/bans/${other.id}`, { token: m.token })).status).toBe(403);
    expect((await ban(s, s.owner.token, s.owner.id)).status).toBe(400);
    expect((await ban(s, s.owner.token, other.id, { reason: "x".repeat(513) })).status).toBe(400);
    expect((await ban(s, s.owner.token, other.id, { reason: "x".repeat(512) })).status).toBe(204);
    expect((await ban(s, s.owner.token, "01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
    expect((await ban(s, s.owner.token, "not-an-id")).status).toBe(404);
    expect((await t.call("DELETE", `/servers/${s.id}/bans/${m.id}`, { token: s.owner.token })).status).toBe(404);
    expect(await rosterIds(s)).toContain(m.id);
  });
});
