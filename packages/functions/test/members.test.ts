import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { connectionOpened } from "@agorusta/core/realtime";
import { subscribe } from "@agorusta/core/servers";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  t = await testApi({ publisher });
});
beforeEach(() => publisher.clear());

const roster = (s: { id: string }, token: string, query = "") => t.call("GET", `/servers/${s.id}/members${query}`, { token });

describe("GET /servers/:id/members", () => {
  it("lists Member objects, owner first, then by username case-insensitively, with online state", async () => {
    const owner = await t.user(`zed${Date.now()}`);
    const s = await t.server(owner);
    const names = ["bravo", "Alpha", "charlie"].map((n) => `${n}${Date.now().toString(36)}`);
    const users = [];
    for (const n of names) {
      const u = await t.user(n);
      const code = (await t.call("POST", `/servers/${s.id}/invites`, { token: owner.token, body: {} })).body.code;
      await t.call("POST", `/invites/${code}/join`, { token: u.token });
      users.push(u);
    }
    await connectionOpened(t.deps.db, users[0]!.id, Math.floor(Date.now() / 1000) + 3600);
    const res = await roster(s, users[2]!.token);
    expect(res.status).toBe(200);
    expect(res.body.map((m: { user: { username: string } }) => m.user.username)).toEqual([owner.username, names[1], names[0], names[2]]);
    expect(res.body[0]).toEqual({
      user: { id: owner.id, username: owner.username, createdAt: owner.createdAt, avatarUrl: null },
      role: "owner",
      joinedAt: expect.any(String),
      online: false,
      // api.md "Communities": Member gains its role ids and timeout.
      roles: [],
      timeoutUntil: null,
    });
    expect(res.body.map((m: { online: boolean }) => m.online)).toEqual([false, false, true, false]);
    expect(res.body.slice(1).every((m: { role: string }) => m.role === "member")).toBe(true);
  });

  it("pages with limit and after=<userId>, with no gap and no repeat", async () => {
    const s = await t.server();
    for (let i = 0; i < 7; i++) await t.member(s);
    const all = (await roster(s, s.owner.token)).body.map((m: { user: { id: string } }) => m.user.id);
    expect(all).toHaveLength(8);
    const seen: string[] = [];
    let after = "";
    for (;;) {
      const page = await roster(s, s.owner.token, `?limit=3${after ? `&after=${after}` : ""}`);
      if (page.body.length === 0) break;
      seen.push(...page.body.map((m: { user: { id: string } }) => m.user.id));
      after = seen.at(-1)!;
    }
    expect(seen).toEqual(all);
  });

  it("answers 404 to a non-member and 400 for a bad limit or an after that is not a member", async () => {
    const s = await t.server();
    expect((await roster(s, (await t.user()).token)).status).toBe(404);
    expect((await roster(s, s.owner.token, "?limit=101")).status).toBe(400);
    expect((await roster(s, s.owner.token, "?after=nope")).status).toBe(400);
    expect((await roster(s, s.owner.token, "?after=01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(400);
  });
});

describe("DELETE /servers/:id/members/me (leave)", () => {
  it("removes the member (204): 404 for the server afterwards, gone from their list, announced", async () => {
    const s = await t.server();
    const m = await t.member(s);
    await t.deps.db.entities.connections.create({ connectionId: "c-leaver", userId: m.id, connectedAt: new Date().toISOString() }).go();
    await subscribe(t.deps.db, { connectionId: "c-leaver", channelId: s.channelId });
    publisher.clear();
    expect((await t.call("DELETE", `/servers/${s.id}/members/me`, { token: m.token })).status).toBe(204);
    expect((await t.call("GET", `/servers/${s.id}`, { token: m.token })).status).toBe(404);
    expect((await t.call("GET", "/servers", { token: m.token })).body).toEqual([]);
    // Told first, then the connection that listened is closed (packages/local/test/removal.test.ts, over real sockets).
    expect(publisher.sent).toEqual([
      { to: "server", serverId: s.id, event: { type: "member_left", serverId: s.id, userId: m.id }, alsoUserIds: [m.id] },
      { to: "disconnect", connectionIds: ["c-leaver"] },
    ]);
    // Their open connection no longer listens to the server's channels.
    const subs = await t.deps.db.entities.subscriptions.query.byChannel({ channelId: s.channelId }).go();
    expect(subs.data.map((x) => x.connectionId)).not.toContain("c-leaver");
  });

  it("answers 409 owner_cannot_leave to the owner, and 404 to a non-member", async () => {
    const s = await t.server();
    expect(await t.call("DELETE", `/servers/${s.id}/members/me`, { token: s.owner.token })).toMatchObject({ status: 409, body: { error: { code: "owner_cannot_leave" } } });
    expect((await t.call("DELETE", `/servers/${s.id}/members/me`, { token: (await t.user()).token })).status).toBe(404);
  });

  it("lets someone who left rejoin by invite, announced as member_joined", async () => {
    const s = await t.server();
    const m = await t.member(s);
    await t.call("DELETE", `/servers/${s.id}/members/me`, { token: m.token });
    const code = (await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} })).body.code;
    publisher.clear();
    expect((await t.call("POST", `/invites/${code}/join`, { token: m.token })).status).toBe(200);
    expect((await t.call("GET", `/servers/${s.id}`, { token: m.token })).body.role).toBe("member");
    expect(publisher.sent).toEqual([{
      to: "server", serverId: s.id, alsoUserIds: [m.id],
      event: { type: "member_joined", serverId: s.id, member: { user: { id: m.id, username: m.username, createdAt: m.createdAt, avatarUrl: null }, role: "member", joinedAt: expect.any(String), online: false } },
    }]);
  });
});

describe("DELETE /servers/:id/members/:userId (kick)", () => {
  it("lets the owner kick (204): the user is a non-member again, and it is announced", async () => {
    const s = await t.server();
    const m = await t.member(s);
    publisher.clear();
    expect((await t.call("DELETE", `/servers/${s.id}/members/${m.id}`, { token: s.owner.token })).status).toBe(204);
    expect((await t.call("GET", `/servers/${s.id}`, { token: m.token })).status).toBe(404);
    expect((await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: m.token, body: { content: "still here?" } })).status).toBe(404);
    expect(publisher.sent).toEqual([{ to: "server", serverId: s.id, event: { type: "member_left", serverId: s.id, userId: m.id }, alsoUserIds: [m.id] }]);
  });

  it("answers 403 to a member, 404 to a non-member, 400 for kicking oneself, 404 for a non-member target", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const m2 = await t.member(s);
    expect((await t.call("DELETE", `/servers/${s.id}/members/${m2.id}`, { token: m.token })).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}/members/${m2.id}`, { token: (await t.user()).token })).status).toBe(404);
    expect((await t.call("DELETE", `/servers/${s.id}/members/${s.owner.id}`, { token: s.owner.token })).status).toBe(400);
    expect((await t.call("DELETE", `/servers/${s.id}/members/${(await t.user()).id}`, { token: s.owner.token })).status).toBe(404);
    expect((await t.call("DELETE", `/servers/${s.id}/members/${s.owner.id}`, { token: m.token })).status).toBe(403);
  });
});

describe("channel_created", () => {
  it("is pushed to the server's listeners when the owner creates a channel", async () => {
    const s = await t.server();
    publisher.clear();
    const c = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "news" } });
    expect(publisher.sent).toEqual([{ to: "server", serverId: s.id, event: { type: "channel_created", channel: c.body } }]);
  });
});
