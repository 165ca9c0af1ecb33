import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { bruteForcePolicies } from "@agorusta/core/limits";

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});

const addPassword = (s: { id: string }, token: string, body: object) => t.call("POST", `/servers/${s.id}/passwords`, { token, body });
const join = (token: string, name: string, password: string) => t.call("POST", "/servers/join", { token, body: { name, password } });

describe("server passwords", () => {
  it("creates one for the owner: 201 ServerPassword, never the password or its hash", async () => {
    const s = await t.server();
    const res = await addPassword(s, s.owner.token, { password: "open sesame", label: "  Friends  ", expiresInSeconds: 86400 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), serverId: s.id, label: "Friends", expiresAt: expect.any(String), createdAt: expect.any(String) });
    const list = await t.call("GET", `/servers/${s.id}/passwords`, { token: s.owner.token });
    expect(list.body).toEqual([res.body]);
    expect(JSON.stringify(list.body)).not.toMatch(/sesame|argon2|hash/);
  });

  it("defaults label and expiry to null", async () => {
    const s = await t.server();
    expect((await addPassword(s, s.owner.token, { password: "pw-at-least-8" })).body).toMatchObject({ label: null, expiresAt: null });
  });

  it("deletes one (204), after which it no longer admits anyone", async () => {
    const s = await t.server();
    const p = await addPassword(s, s.owner.token, { password: "temporary" });
    expect((await t.call("DELETE", `/servers/${s.id}/passwords/${p.body.id}`, { token: s.owner.token })).status).toBe(204);
    expect((await t.call("GET", `/servers/${s.id}/passwords`, { token: s.owner.token })).body).toEqual([]);
    const u = await t.user();
    expect((await join(u.token, s.name, "temporary")).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}/passwords/${p.body.id}`, { token: s.owner.token })).status).toBe(404);
  });

  it("is owner-only: 403 for a member, 404 for a non-member, on create, list and delete", async () => {
    const s = await t.server();
    const p = await addPassword(s, s.owner.token, { password: "pw-at-least-8" });
    const m = await t.member(s);
    const stranger = await t.user();
    for (const [who, status] of [[m, 403], [stranger, 404]] as const) {
      expect((await addPassword(s, who.token, { password: "x-long-enough" })).status).toBe(status);
      expect((await t.call("GET", `/servers/${s.id}/passwords`, { token: who.token })).status).toBe(status);
      expect((await t.call("DELETE", `/servers/${s.id}/passwords/${p.body.id}`, { token: who.token })).status).toBe(status);
    }
  });

  it.each([
    [{}, "password"], [{ password: "" }, "password"], [{ password: "x".repeat(257) }, "password"],
    [{ password: "ok-okay-ok", label: "" }, "label"], [{ password: "ok-okay-ok", label: "l".repeat(101) }, "label"],
    [{ password: "ok-okay-ok", expiresInSeconds: 10 }, "expiresInSeconds"],
    // 8–256 like an account's password (issue 20 item 8, issue 21 item 8): seven characters are refused.
    [{ password: "1234567" }, "password"], [{ password: "ok" }, "password"],
  ])("answers 400 for %j", async (body, path) => {
    const s = await t.server();
    const res = await addPassword(s, s.owner.token, body);
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe(path);
  });

  it("refuses a join password of fewer than 8 characters with the contract's 400, stores nothing, and takes exactly 8", async () => {
    const s = await t.server();
    const short = await addPassword(s, s.owner.token, { password: "seven77" });
    expect(short).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_request", message: "A join password must be at least 8 characters.", issues: [{ path: "password", message: expect.any(String) }] } },
    });
    expect((await t.call("GET", `/servers/${s.id}/passwords`, { token: s.owner.token })).body).toEqual([]);
    expect((await addPassword(s, s.owner.token, { password: "eight888" })).status).toBe(201);
    expect((await addPassword(s, s.owner.token, { password: "x".repeat(256) })).status).toBe(201);
  });
});

describe("POST /servers/join", () => {
  it("joins with any live password of the server, the name in any case (200 Server)", async () => {
    const s = await t.server(undefined, `Pass Club ${Date.now()}`);
    await addPassword(s, s.owner.token, { password: "first-pass" });
    await addPassword(s, s.owner.token, { password: "second-pass", label: "vip" });
    const a = await t.user();
    const b = await t.user();
    const ra = await join(a.token, s.name.toUpperCase(), "first-pass");
    expect(ra).toMatchObject({ status: 200, body: { id: s.id, name: s.name, ownerId: s.owner.id } });
    expect((await join(b.token, `  ${s.name} `, "second-pass")).status).toBe(200);
    expect((await t.call("GET", `/servers/${s.id}`, { token: b.token })).body.role).toBe("member");
  });

  it("is idempotent for a member and leaves the owner the owner", async () => {
    const s = await t.server();
    await addPassword(s, s.owner.token, { password: "pw-again" });
    expect((await join(s.owner.token, s.name, "pw-again")).status).toBe(200);
    expect((await t.call("GET", `/servers/${s.id}`, { token: s.owner.token })).body.role).toBe("owner");
  });

  it("gives a wrong password and a wrong name the same 403 invalid_server_credentials", async () => {
    const s = await t.server();
    await addPassword(s, s.owner.token, { password: "right-password" });
    const u = await t.user();
    const wrongPassword = await join(u.token, s.name, "wrong");
    const wrongName = await join(u.token, "no such server anywhere", "right-password");
    const noPasswords = await join(u.token, (await t.server()).name, "right-password");
    expect(wrongPassword).toMatchObject({ status: 403, body: { error: { code: "invalid_server_credentials" } } });
    expect(wrongName.body).toEqual(wrongPassword.body);
    expect(noPasswords.body).toEqual(wrongPassword.body);
    expect((await t.call("GET", `/servers/${s.id}`, { token: u.token })).status).toBe(404);
  });

  it("refuses an expired password, even while its item still exists", async () => {
    const s = await t.server();
    const p = await addPassword(s, s.owner.token, { password: "old-one-expired", expiresInSeconds: 60 });
    const item = (await t.deps.db.entities.serverPasswords.get({ serverId: s.id, passwordId: p.body.id }).go()).data!;
    await t.deps.db.entities.serverPasswords.delete({ serverId: s.id, passwordId: p.body.id }).go();
    await t.deps.db.entities.serverPasswords.create({ ...item, expiresAt: new Date(Date.now() - 1000).toISOString() }).go();
    const u = await t.user();
    expect((await join(u.token, s.name, "old-one-expired")).status).toBe(403);
  });

  it("answers 400 for missing fields", async () => {
    const u = await t.user();
    const res = await t.call("POST", "/servers/join", { token: u.token, body: { name: 3 } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["name", "password"]);
  });
});

describe("brute-force protection of POST /servers/join", () => {
  it("refuses guesses past the per-name limit with 429 and retry-after, and counts only failures", async () => {
    // Windows are epoch-aligned: one of 2^32 s cannot roll over mid-test, as a 15-minute one would at :00/:15/:30/:45.
    const small = { perTarget: { limit: 3, windowSeconds: 2 ** 32 }, perAddress: { limit: 100, windowSeconds: 2 ** 32 }, refundAddressOnSuccess: false };
    const limited = await testApi({ rateLimits: { ...bruteForcePolicies, login: small, joinByPassword: small } });
    const s = await limited.server();
    await limited.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password: "the-right-one" } });
    const guesser = await limited.user();
    const friend = await limited.user();
    const attempt = (token: string, password: string) =>
      limited.call("POST", "/servers/join", { token, body: { name: s.name, password } });
    // Two wrong guesses, then a right one: the success is not counted against the name.
    expect((await attempt(guesser.token, "guess-1")).status).toBe(403);
    expect((await attempt(guesser.token, "guess-2")).status).toBe(403);
    expect((await attempt(friend.token, "the-right-one")).status).toBe(200);
    expect((await attempt(guesser.token, "guess-3")).status).toBe(403);
    const refused = await attempt(guesser.token, "guess-4");
    expect(refused).toMatchObject({ status: 429, body: { error: { code: "rate_limited" } } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // The name is locked for this window, whatever the case or password: even the right one.
    expect((await attempt(guesser.token, "the-right-one")).status).toBe(429);
    expect((await limited.call("POST", "/servers/join", { token: guesser.token, body: { name: s.name.toUpperCase(), password: "x" } })).status).toBe(429);
  });
});
