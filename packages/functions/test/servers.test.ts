import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { ALL_PERMISSIONS, DEFAULT_EVERYONE, toWire } from "@agorusta/core/permissions";

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
/** A text channel outside any category, as a new one is (issue 23). */
const TOP_LEVEL_TEXT = { type: "text", parentId: null, position: 0, topic: null, slowmodeSeconds: 0, overwrites: [] };
const ALL = toWire(ALL_PERMISSIONS);

describe("POST /servers", () => {
  it("creates a server owned by the caller, trimmed, with a `general` channel, and answers 201 Server", async () => {
    const owner = await t.user();
    const res = await t.call("POST", "/servers", { token: owner.token, body: { name: "  Rust Lovers  " } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), name: "Rust Lovers", ownerId: owner.id, createdAt: ISO, iconUrl: null });
    const detail = await t.call("GET", `/servers/${res.body.id}`, { token: owner.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toEqual({
      ...res.body,
      role: "owner",
      // Issue 23: the roles (a new server's @everyone) and the caller's base permissions (the owner: all).
      roles: [expect.objectContaining({ id: res.body.id, name: "@everyone", position: 0, permissions: toWire(DEFAULT_EVERYONE) })],
      permissions: ALL,
      // Issue 23: a channel also says where it sits, its settings and the caller's permissions (the owner: all).
      channels: [{ id: expect.any(String), serverId: res.body.id, name: "general", createdAt: ISO, lastMessageId: null, ...TOP_LEVEL_TEXT, permissions: ALL }],
    });
  });

  it("refuses a name taken by another server, in any case and spacing, with 409 server_name_taken", async () => {
    const a = await t.user();
    const b = await t.user();
    expect((await t.call("POST", "/servers", { token: a.token, body: { name: "Café Society" } })).status).toBe(201);
    const res = await t.call("POST", "/servers", { token: b.token, body: { name: " CAFÉ SOCIETY " } });
    expect(res).toMatchObject({ status: 409, body: { error: { code: "server_name_taken" } } });
  });

  it("lets exactly one of ten simultaneous creations of one name win", async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => t.user()));
    const results = await Promise.all(
      users.map((u, i) => t.call("POST", "/servers", { token: u.token, body: { name: i % 2 ? "The Race" : "the race" } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === "server_name_taken")).toHaveLength(9);
    // The losers were left with nothing half-made: each has no server at all.
    const lists = await Promise.all(users.map((u) => t.call("GET", "/servers", { token: u.token })));
    expect(lists.map((l) => l.body.length).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it.each([
    ["a one-character name", { name: "x" }],
    ["a blank name", { name: "    " }],
    ["a 101-character name", { name: "n".repeat(101) }],
    ["a number", { name: 42 }],
    ["no name", {}],
  ])("answers 400 invalid_request for %s", async (_, body) => {
    const owner = await t.user();
    const res = await t.call("POST", "/servers", { token: owner.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", issues: [{ path: "name", message: expect.any(String) }] });
  });

  it("counts characters, not UTF-16 units: 100 emoji make a valid name", async () => {
    const owner = await t.user();
    const res = await t.call("POST", "/servers", { token: owner.token, body: { name: "🦀".repeat(100) } });
    expect(res.status).toBe(201);
  });
});

describe("GET /servers", () => {
  it("lists the servers the caller owns or joined, in the order joined, and no others", async () => {
    const s1 = await t.server();
    const s2 = await t.server();
    await t.server(); // someone else's
    const u = await t.member(s1);
    const invite = await t.call("POST", `/servers/${s2.id}/invites`, { token: s2.owner.token, body: {} });
    await t.call("POST", `/invites/${invite.body.code}/join`, { token: u.token });
    const own = await t.call("POST", "/servers", { token: u.token, body: { name: `mine ${u.username}` } });
    const res = await t.call("GET", "/servers", { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body.map((s: { id: string }) => s.id)).toEqual([s1.id, s2.id, own.body.id]);
    expect(res.body[0]).toEqual({ id: s1.id, name: s1.name, ownerId: s1.owner.id, createdAt: ISO, iconUrl: null });
  });

  it("answers [] for a new user", async () => {
    const u = await t.user();
    expect(await t.call("GET", "/servers", { token: u.token })).toMatchObject({ status: 200, body: [] });
  });
});

describe("GET /servers/:id", () => {
  it("shows a member the channels (oldest first) and the role `member`", async () => {
    const s = await t.server();
    const c = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "random" } });
    const u = await t.member(s);
    const res = await t.call("GET", `/servers/${s.id}`, { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe("member");
    expect(res.body.channels.map((ch: { name: string }) => ch.name)).toEqual(["general", "random"]);
    // The same channel; its permissions are the caller's own (issue 23): a member's are @everyone's default.
    expect(res.body.channels[1]).toEqual({ ...c.body, permissions: toWire(DEFAULT_EVERYONE) });
  });

  it("answers 404 not_found to a non-member, for a real server and for an unknown or malformed id alike", async () => {
    const s = await t.server();
    const stranger = await t.user();
    for (const id of [s.id, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-an-id", "x".repeat(3000)]) {
      const res = await t.call("GET", `/servers/${id}`, { token: stranger.token });
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
  });
});

describe("POST /servers/:id/channels", () => {
  it("creates a channel for the owner (201 Channel), trimmed", async () => {
    const s = await t.server();
    const res = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "  off-topic " } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), serverId: s.id, name: "off-topic", createdAt: ISO, lastMessageId: null, ...TOP_LEVEL_TEXT, position: 1, permissions: ALL });
  });

  it("refuses a name already used in the server, in any case, with 409 channel_name_taken", async () => {
    const s = await t.server();
    const res = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "GENERAL" } });
    expect(res).toMatchObject({ status: 409, body: { error: { code: "channel_name_taken" } } });
  });

  it("allows the same channel name in another server", async () => {
    const s = await t.server();
    await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "dev" } });
    const other = await t.server();
    expect((await t.call("POST", `/servers/${other.id}/channels`, { token: other.owner.token, body: { name: "dev" } })).status).toBe(201);
  });

  it("lets exactly one of five simultaneous creations of one channel name win", async () => {
    const s = await t.server();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "race" } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const detail = await t.call("GET", `/servers/${s.id}`, { token: s.owner.token });
    expect(detail.body.channels.filter((c: { name: string }) => c.name === "race")).toHaveLength(1);
  });

  it("answers 403 forbidden to a member and 404 to a non-member", async () => {
    const s = await t.server();
    const member = await t.member(s);
    const stranger = await t.user();
    expect((await t.call("POST", `/servers/${s.id}/channels`, { token: member.token, body: { name: "mine" } })).body.error.code).toBe("forbidden");
    expect((await t.call("POST", `/servers/${s.id}/channels`, { token: stranger.token, body: { name: "mine" } })).status).toBe(404);
  });

  it("answers 400 for an empty or 101-character name", async () => {
    const s = await t.server();
    for (const name of ["", "   ", "c".repeat(101)]) {
      const res = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name } });
      expect(res.status).toBe(400);
    }
  });
});

describe("names far larger in bytes than in characters", () => {
  it("keeps them unique without overflowing DynamoDB's key size", async () => {
    // Ten marks to a character, the most one may carry (issue 21): still over 1 KB in 100 characters.
    const zalgo = ("Z" + "\u0301\u0302\u0303\u0304\u0305".repeat(2)).repeat(50) + "ﷺ".repeat(50);
    expect(Buffer.byteLength(zalgo)).toBeGreaterThan(1024);
    const a = await t.user();
    const b = await t.user();
    const first = await t.call("POST", "/servers", { token: a.token, body: { name: zalgo } });
    expect(first.status).toBe(201);
    // Stored in NFC (issue 15): "Z" + combining acute is "Ź" and the other marks stay.
    expect(first.body.name).toBe(zalgo.normalize("NFC"));
    const second = await t.call("POST", "/servers", { token: b.token, body: { name: zalgo.toLowerCase() } });
    expect(second).toMatchObject({ status: 409, body: { error: { code: "server_name_taken" } } });
    const channel = await t.call("POST", `/servers/${first.body.id}/channels`, { token: a.token, body: { name: zalgo } });
    expect(channel.status).toBe(201);
  });
});
