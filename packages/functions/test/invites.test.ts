import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});

const invite = (s: { id: string }, token: string, body: object = {}) =>
  t.call("POST", `/servers/${s.id}/invites`, { token, body });
const members = async (s: { id: string }) =>
  (await t.deps.db.entities.members.query.byServer({ serverId: s.id }).go({ pages: "all" })).data.length;

describe("POST /servers/:id/invites", () => {
  it("lets any member create one; 201 Invite with a random 8+ character code", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const res = await invite(s, m.token, { maxUses: 3, expiresInSeconds: 3600 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      code: expect.stringMatching(/^[A-Za-z0-9]{8,}$/),
      serverId: s.id,
      creatorId: m.id,
      maxUses: 3,
      uses: 0,
      expiresAt: expect.any(String),
      createdAt: expect.any(String),
    });
    const ttl = Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt);
    expect(ttl).toBeGreaterThan(3590_000);
    expect(ttl).toBeLessThan(3610_000);
    // The item carries DynamoDB's TTL attribute, so the sweeper deletes it after expiry.
    const item = await t.deps.db.entities.invites.get({ code: res.body.code }).go();
    expect(item.data?.ttl).toBe(Math.ceil(Date.parse(res.body.expiresAt) / 1000));
  });

  it("defaults to unlimited uses and no expiry", async () => {
    const s = await t.server();
    const res = await invite(s, s.owner.token);
    expect(res.body).toMatchObject({ maxUses: null, expiresAt: null, uses: 0 });
  });

  it("makes distinct codes", async () => {
    const s = await t.server();
    const codes = await Promise.all(Array.from({ length: 20 }, () => invite(s, s.owner.token).then((r) => r.body.code)));
    expect(new Set(codes).size).toBe(20);
  });

  it.each([
    [{ maxUses: 0 }, "maxUses"], [{ maxUses: 10001 }, "maxUses"], [{ maxUses: 1.5 }, "maxUses"], [{ maxUses: "5" }, "maxUses"],
    [{ expiresInSeconds: 59 }, "expiresInSeconds"], [{ expiresInSeconds: 31_536_001 }, "expiresInSeconds"], [{ expiresInSeconds: true }, "expiresInSeconds"],
  ])("answers 400 for %j", async (body, field) => {
    const s = await t.server();
    const res = await invite(s, s.owner.token, body);
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe(field);
  });

  it("answers 404 to a non-member", async () => {
    const s = await t.server();
    const stranger = await t.user();
    expect((await invite(s, stranger.token)).status).toBe(404);
  });
});

describe("GET and DELETE /servers/:id/invites", () => {
  it("lists the server's invites to the owner, newest first, with uses", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token, { maxUses: 2 });
    const b = await invite(s, s.owner.token);
    const u = await t.user();
    await t.call("POST", `/invites/${a.body.code}/join`, { token: u.token });
    const res = await t.call("GET", `/servers/${s.id}/invites`, { token: s.owner.token });
    expect(res.status).toBe(200);
    expect(res.body.map((i: { code: string }) => i.code)).toEqual(expect.arrayContaining([a.body.code, b.body.code]));
    expect(res.body.find((i: { code: string }) => i.code === a.body.code).uses).toBe(1);
  });

  it("lets the owner revoke one (204), after which it is 404 invite_not_found", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token);
    expect((await t.call("DELETE", `/servers/${s.id}/invites/${a.body.code}`, { token: s.owner.token })).status).toBe(204);
    const u = await t.user();
    expect(await t.call("GET", `/invites/${a.body.code}`, { token: u.token })).toMatchObject({ status: 404, body: { error: { code: "invite_not_found" } } });
    expect((await t.call("DELETE", `/servers/${s.id}/invites/${a.body.code}`, { token: s.owner.token })).status).toBe(404);
  });

  it("will not delete another server's invite through this one", async () => {
    const s = await t.server();
    const other = await t.server();
    const theirs = await invite(other, other.owner.token);
    const res = await t.call("DELETE", `/servers/${s.id}/invites/${theirs.body.code}`, { token: s.owner.token });
    expect(res.body.error.code).toBe("invite_not_found");
    expect((await t.call("GET", `/invites/${theirs.body.code}`, { token: s.owner.token })).status).toBe(200);
  });

  it("answers 403 to a member and 404 to a non-member", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const stranger = await t.user();
    const a = await invite(s, s.owner.token);
    expect((await t.call("GET", `/servers/${s.id}/invites`, { token: m.token })).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}/invites/${a.body.code}`, { token: m.token })).status).toBe(403);
    expect((await t.call("GET", `/servers/${s.id}/invites`, { token: stranger.token })).status).toBe(404);
    expect((await t.call("DELETE", `/servers/${s.id}/invites/${a.body.code}`, { token: stranger.token })).status).toBe(404);
  });
});

describe("GET /invites/:code", () => {
  it("shows InviteInfo to anyone signed in, member or not", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token, { maxUses: 5 });
    const stranger = await t.user();
    const res = await t.call("GET", `/invites/${a.body.code}`, { token: stranger.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: a.body.code, server: { id: s.id, name: s.name }, expiresAt: null, maxUses: 5, uses: 0 });
  });

  it("answers 404 invite_not_found for unknown and malformed codes", async () => {
    const u = await t.user();
    for (const code of ["ZZZZZZZZZZ", "short", "has space", "ü".repeat(10), "x".repeat(500)]) {
      const res = await t.call("GET", `/invites/${encodeURIComponent(code)}`, { token: u.token });
      expect(res.status, code).toBe(404);
      expect(res.body.error.code).toBe("invite_not_found");
    }
  });

  it("answers 401 without a token", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token);
    expect((await t.call("GET", `/invites/${a.body.code}`)).status).toBe(401);
  });
});

describe("POST /invites/:code/join", () => {
  it("makes the caller a member (200 Server) and counts one use", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token);
    const u = await t.user();
    const res = await t.call("POST", `/invites/${a.body.code}/join`, { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: s.id, name: s.name, ownerId: s.owner.id, createdAt: expect.any(String), iconUrl: null });
    expect((await t.call("GET", `/servers/${s.id}`, { token: u.token })).body.role).toBe("member");
    expect((await t.call("GET", `/invites/${a.body.code}`, { token: u.token })).body.uses).toBe(1);
  });

  it("is idempotent: joining again, or as the owner, succeeds and consumes no use", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token, { maxUses: 1 });
    const u = await t.user();
    expect((await t.call("POST", `/invites/${a.body.code}/join`, { token: s.owner.token })).status).toBe(200);
    expect((await t.call("POST", `/invites/${a.body.code}/join`, { token: u.token })).status).toBe(200);
    // Now exhausted, yet the member following the link again is simply let through.
    expect((await t.call("POST", `/invites/${a.body.code}/join`, { token: u.token })).status).toBe(200);
    expect((await t.call("GET", `/servers/${s.id}`, { token: s.owner.token })).body.role).toBe("owner");
    const item = await t.deps.db.entities.invites.get({ code: a.body.code }).go();
    expect(item.data?.uses).toBe(1);
  });

  it("answers 410 invite_exhausted at maxUses, for info and join", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token, { maxUses: 1 });
    await t.call("POST", `/invites/${a.body.code}/join`, { token: (await t.user()).token });
    const late = await t.user();
    expect(await t.call("GET", `/invites/${a.body.code}`, { token: late.token })).toMatchObject({ status: 410, body: { error: { code: "invite_exhausted" } } });
    expect(await t.call("POST", `/invites/${a.body.code}/join`, { token: late.token })).toMatchObject({ status: 410, body: { error: { code: "invite_exhausted" } } });
    expect((await t.call("GET", `/servers/${s.id}`, { token: late.token })).status).toBe(404);
  });

  it("answers 410 invite_expired past expiresAt, even while the item still exists (TTL sweeps late)", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token, { expiresInSeconds: 60 });
    // Age the stored invite: the same item, its expiry a second in the past.
    const item = (await t.deps.db.entities.invites.get({ code: a.body.code }).go()).data!;
    await t.deps.db.entities.invites.delete({ code: a.body.code }).go();
    await t.deps.db.entities.invites.create({ ...item, expiresAt: new Date(Date.now() - 1000).toISOString() }).go();
    const u = await t.user();
    expect(await t.call("GET", `/invites/${a.body.code}`, { token: u.token })).toMatchObject({ status: 410, body: { error: { code: "invite_expired" } } });
    expect(await t.call("POST", `/invites/${a.body.code}/join`, { token: u.token })).toMatchObject({ status: 410, body: { error: { code: "invite_expired" } } });
    expect(await members(s)).toBe(1);
  });

  it("20 concurrent joins on maxUses 5 admit exactly 5", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token, { maxUses: 5 });
    const users = await Promise.all(Array.from({ length: 20 }, () => t.user()));
    const results = await Promise.all(users.map((u) => t.call("POST", `/invites/${a.body.code}/join`, { token: u.token })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.filter((r) => r.status === 410 && r.body.error.code === "invite_exhausted")).toHaveLength(15);
    expect(await members(s)).toBe(6);
    expect((await t.deps.db.entities.invites.get({ code: a.body.code }).go()).data?.uses).toBe(5);
  });

  it("one user joining ten times at once consumes one use", async () => {
    const s = await t.server();
    const a = await invite(s, s.owner.token, { maxUses: 3 });
    const u = await t.user();
    const results = await Promise.all(Array.from({ length: 10 }, () => t.call("POST", `/invites/${a.body.code}/join`, { token: u.token })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect((await t.deps.db.entities.invites.get({ code: a.body.code }).go()).data?.uses).toBe(1);
    expect(await members(s)).toBe(2);
  });
});

/**
 * Issue 21, item 3: an invite is vouched for by the membership that made it. Once its maker is
 * kicked or banned (or leaves), it admits nobody and shows nothing, however the removal and the
 * join race, and it does not come back if they rejoin.
 */
describe("a removed member's invites", () => {
  const info = (code: string, token: string) => t.call("GET", `/invites/${code}`, { token });
  const join = (code: string, token: string) => t.call("POST", `/invites/${code}/join`, { token });
  const listed = async (s: { id: string; owner: { token: string } }) =>
    (await t.call("GET", `/servers/${s.id}/invites`, { token: s.owner.token })).body.map((i: { code: string }) => i.code);

  it.each([
    ["kicked", (s: { id: string; owner: { token: string } }, m: { id: string }) => t.call("DELETE", `/servers/${s.id}/members/${m.id}`, { token: s.owner.token })],
    ["banned", (s: { id: string; owner: { token: string } }, m: { id: string }) => t.call("PUT", `/servers/${s.id}/bans/${m.id}`, { token: s.owner.token, body: {} })],
  ])("stop admitting once their maker is %s: 404 invite_not_found to info and join, gone from the owner's list", async (_, remove) => {
    const s = await t.server();
    const m = await t.member(s);
    const theirs = (await invite(s, m.token, { maxUses: 10 })).body.code as string;
    const owners = (await invite(s, s.owner.token)).body.code as string;
    const before = await t.user();
    expect((await join(theirs, before.token)).status).toBe(200);

    expect((await remove(s, m)).status).toBe(204);
    const after = await t.user();
    expect(await info(theirs, after.token)).toMatchObject({ status: 404, body: { error: { code: "invite_not_found" } } });
    expect(await join(theirs, after.token)).toMatchObject({ status: 404, body: { error: { code: "invite_not_found" } } });
    expect((await t.call("GET", `/servers/${s.id}`, { token: after.token })).status).toBe(404);
    const left = await listed(s);
    expect(left).not.toContain(theirs);
    expect(left).toContain(owners);
    // Whom it admitted before stays; the owner's invite still works.
    expect((await t.call("GET", `/servers/${s.id}`, { token: before.token })).status).toBe(200);
    expect((await join(owners, after.token)).status).toBe(200);
  });

  it("admit nobody even where the revocation missed one: the join checks its maker's membership", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const code = (await invite(s, m.token)).body.code as string;
    // The membership ends without the revocation (what a lagging index can leave behind).
    await t.deps.db.entities.members.delete({ serverId: s.id, userId: m.id }).go();
    const u = await t.user();
    expect(await join(code, u.token)).toMatchObject({ status: 404, body: { error: { code: "invite_not_found" } } });
    expect(await members(s)).toBe(1);
    expect((await t.deps.db.entities.invites.get({ code }).go()).data?.uses).toBe(0);
  });

  it("do not come back when their maker rejoins, and do not readmit the maker", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const code = (await invite(s, m.token)).body.code as string;
    const kept = (await t.deps.db.entities.invites.get({ code }).go()).data!;
    expect((await t.call("DELETE", `/servers/${s.id}/members/${m.id}`, { token: s.owner.token })).status).toBe(204);
    // Their own old invite does not let them back in (404, not a 500 from a transaction naming their membership twice).
    expect(await join(code, m.token)).toMatchObject({ status: 404, body: { error: { code: "invite_not_found" } } });
    // Put back as if the revocation had missed it; the maker rejoins through the owner.
    await t.deps.db.entities.invites.create(kept).go();
    expect((await join((await invite(s, s.owner.token)).body.code, m.token)).status).toBe(200);
    const u = await t.user();
    expect(await join(code, u.token)).toMatchObject({ status: 404, body: { error: { code: "invite_not_found" } } });
  });
});

describe("a member's own invites", () => {
  it("can be deleted by their maker (204), while another member's or the owner's cannot (403)", async () => {
    const s = await t.server();
    const [a, b] = [await t.member(s), await t.member(s)];
    const mine = (await invite(s, a.token)).body.code;
    const owners = (await invite(s, s.owner.token)).body.code;
    expect((await t.call("DELETE", `/servers/${s.id}/invites/${mine}`, { token: b.token })).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}/invites/${owners}`, { token: a.token })).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}/invites/${mine}`, { token: a.token })).status).toBe(204);
    expect((await t.call("GET", `/invites/${mine}`, { token: b.token })).status).toBe(404);
  });
});
