/**
 * Sessions (api.md "Sessions and safety"): logout ends one token, logout-all every token issued
 * until then, a password change every earlier token (answering with the replacement); a ticket
 * for the WebSocket handshake. The sockets closed on the way: packages/local/test/sessions.test.ts.
 */
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { bruteForcePolicies } from "@agorusta/core/limits";
import { testApi, type TestApi } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";

const PASSWORD = "correct horse battery";
const NO_EDGE = 2 ** 32;
const small = { perTarget: { limit: 2, windowSeconds: NO_EDGE }, perAddress: { limit: 100, windowSeconds: NO_EDGE }, refundAddressOnSuccess: true };

let t: TestApi;
const publisher = recordingPublisher();
beforeAll(async () => {
  t = await testApi({ publisher, rateLimits: { ...bruteForcePolicies, changePassword: small } });
});

const me = (token: string) => t.call("GET", "/auth/me", { token });
const login = async (email: string, password = PASSWORD) => t.call("POST", "/auth/login", { body: { email, password } });
/** A user signed in twice (two devices): the token from registering and one from a login. */
async function twoDevices() {
  const u = await t.user();
  const second = await login(u.email);
  expect(second.status).toBe(200);
  return { ...u, other: second.body.token as string };
}

describe("POST /auth/logout", () => {
  it("ends this token only: it is refused from then on, the other device stays signed in", async () => {
    const u = await twoDevices();
    expect((await t.call("POST", "/auth/logout", { token: u.token })).status).toBe(204);
    const refused = await me(u.token);
    expect(refused).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    expect((await t.call("GET", "/servers", { token: u.token })).status).toBe(401);
    expect((await me(u.other)).status).toBe(200);
  });

  it("needs a token, and a second logout of the same token is 401", async () => {
    expect((await t.call("POST", "/auth/logout")).status).toBe(401);
    const u = await t.user();
    expect((await t.call("POST", "/auth/logout", { token: u.token })).status).toBe(204);
    expect((await t.call("POST", "/auth/logout", { token: u.token })).status).toBe(401);
  });
});

describe("a token whose session has ended", () => {
  // The session's read runs alongside the route's own reads (http/requireUser.ts): these prove it
  // still decides first, for writes that the route would have made and for answers it would have given.
  it("stores nothing, changes nothing, and learns nothing, whatever the route would have answered", async () => {
    const u = await twoDevices();
    const server = await t.call("POST", "/servers", { token: u.token, body: { name: `ended ${Date.now()}` } });
    const channelId = (await t.call("GET", `/servers/${server.body.id}`, { token: u.token })).body.channels[0].id;
    const messages = `/servers/${server.body.id}/channels/${channelId}/messages`;
    const kept = await t.call("POST", messages, { token: u.token, body: { content: "before" } });
    expect((await t.call("POST", "/auth/logout", { token: u.token })).status).toBe(204);

    const counts = t.deps.dynamo.counts;
    for (const k of Object.keys(counts)) delete counts[k];
    const tries = [
      await t.call("POST", messages, { token: u.token, body: { content: "after" } }),
      await t.call("PATCH", `${messages}/${kept.body.id}`, { token: u.token, body: { content: "edited" } }),
      await t.call("DELETE", `${messages}/${kept.body.id}`, { token: u.token }),
      await t.call("PUT", `${messages}/${kept.body.id}/reactions/${encodeURIComponent("👍")}/me`, { token: u.token }),
      await t.call("POST", `/servers/${server.body.id}/channels`, { token: u.token, body: { name: "more" } }),
      // Routes that would answer 404 or 400 answer 401 all the same: a revoked token probes nothing.
      await t.call("POST", `/servers/${server.body.id}/channels/01J00000000000000000000000/messages`, { token: u.token, body: { content: "x" } }),
      await t.call("GET", `/servers/01J00000000000000000000000`, { token: u.token }),
      await t.call("GET", messages, { token: u.token }),
    ];
    expect(tries.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401, 401, 401]);
    for (const r of tries) expect(r.body).toMatchObject({ error: { code: "unauthorized" } });
    // No write was even sent.
    for (const op of ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]) expect(counts[op] ?? 0, op).toBe(0);

    const history = await t.call("GET", messages, { token: u.other });
    expect(history.body.map((m: { content: string; reactions?: unknown[] }) => [m.content, m.reactions ?? []])).toEqual([["before", []]]);
    expect((await t.call("GET", `/servers/${server.body.id}`, { token: u.other })).body.channels).toHaveLength(1);
  });
});

describe("POST /auth/logout-all", () => {
  it("ends every token issued until now, this one included; signing in again works", async () => {
    const u = await twoDevices();
    const stranger = await t.user();
    expect((await t.call("POST", "/auth/logout-all", { token: u.other })).status).toBe(204);
    expect((await me(u.token)).status).toBe(401);
    expect((await me(u.other)).status).toBe(401);
    expect((await me(stranger.token)).status).toBe(200);
    const again = await login(u.email);
    expect((await me(again.body.token)).status).toBe(200);
  });
});

describe("POST /auth/password", () => {
  // Six argon2 hashes in a row: on a loaded machine that outlasts the default 30 s.
  it("answers with a new token and ends every earlier one; only the new password signs in", { timeout: 90_000 }, async () => {
    const u = await twoDevices();
    const res = await t.call("POST", "/auth/password", { token: u.token, body: { currentPassword: PASSWORD, newPassword: "a brand new secret" } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), user: { id: u.id, email: u.email, username: u.username, createdAt: u.createdAt, avatarUrl: null, bot: false } });
    expect((await me(u.token)).status).toBe(401);
    expect((await me(u.other)).status).toBe(401);
    expect((await me(res.body.token)).status).toBe(200);
    expect((await login(u.email)).status).toBe(401);
    expect((await login(u.email, "a brand new secret")).status).toBe(200);
  });

  it("refuses a wrong current password with 401 invalid_credentials, and keeps the sessions", async () => {
    const u = await t.user();
    const res = await t.call("POST", "/auth/password", { token: u.token, body: { currentPassword: "not it at all", newPassword: "whatever it is" } });
    expect(res).toMatchObject({ status: 401, body: { error: { code: "invalid_credentials" } } });
    expect((await me(u.token)).status).toBe(200);
    expect((await login(u.email)).status).toBe(200);
  });

  it("limits wrong current passwords like sign-in: 429 with retry-after, even for the right one", async () => {
    const u = await t.user();
    const attempt = (currentPassword: string) =>
      t.call("POST", "/auth/password", { token: u.token, body: { currentPassword, newPassword: "the next password" } });
    expect((await attempt("guess one")).status).toBe(401);
    expect((await attempt("guess two")).status).toBe(401);
    const refused = await attempt(PASSWORD);
    expect(refused).toMatchObject({ status: 429, body: { error: { code: "rate_limited" } } });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("validates the new password like registration (8–256 characters)", async () => {
    const u = await t.user();
    const res = await t.call("POST", "/auth/password", { token: u.token, body: { currentPassword: PASSWORD, newPassword: "short" } });
    expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", issues: [{ path: "newPassword" }] } } });
  });
});

describe("closing the sockets of ended sessions", () => {
  /** Stores a connection as `$connect` does, for the session of this token. */
  async function connection(token: string) {
    const claims = await t.deps.tokens.verify(token);
    const connectionId = `c${Math.random().toString(36).slice(2)}=`;
    await t.deps.db.entities.connections
      .put({ connectionId, userId: claims.userId, sessionId: claims.sessionId, sessionExpiresAt: claims.expiresAt, connectedAt: new Date().toISOString() })
      .go();
    return connectionId;
  }
  const disconnected = () => publisher.sent.flatMap((p) => (p.to === "disconnect" ? p.connectionIds : []));

  it("logout closes the connections opened with that token, not the other device's", async () => {
    const u = await twoDevices();
    const [a1, a2, b] = [await connection(u.token), await connection(u.token), await connection(u.other)];
    publisher.clear();
    await t.call("POST", "/auth/logout", { token: u.token });
    expect(disconnected().sort()).toEqual([a1, a2].sort());
    expect(disconnected()).not.toContain(b);
  });

  it("logout-all and a password change close every connection of the user", async () => {
    const u = await twoDevices();
    const ids = [await connection(u.token), await connection(u.other)];
    publisher.clear();
    await t.call("POST", "/auth/logout-all", { token: u.token });
    expect(disconnected().sort()).toEqual([...ids].sort());

    const v = await twoDevices();
    const more = [await connection(v.token), await connection(v.other)];
    publisher.clear();
    await t.call("POST", "/auth/password", { token: v.token, body: { currentPassword: PASSWORD, newPassword: "yet another one" } });
    expect(disconnected().sort()).toEqual([...more].sort());
  });

  /** The contract's limits, with `cap` live sessions per user, for this test. */
  function capSessions(cap: number) {
    const limits = t.deps.usageLimits;
    if (limits === "off") throw new Error("the limits are on in this file");
    t.deps.usageLimits = { ...limits, sessions: cap };
    onTestFinished(() => void (t.deps.usageLimits = limits));
  }
  const statusesOf = async (tokens: string[]) => Promise.all(tokens.map(async (token) => (await me(token)).status));
  const sessionsOf = async (userId: string) =>
    (await t.deps.db.entities.sessions.query.byUser({ userId }).go({ pages: "all", consistent: true })).data.length;

  it("a sign-in past the cap of live sessions ends the oldest and closes its sockets; the newer ones stay signed in", async () => {
    capSessions(3);
    const u = await t.user();
    const tokens = [u.token];
    for (let i = 0; i < 2; i++) tokens.push((await login(u.email)).body.token);
    const oldest = await connection(tokens[0]!);
    const newer = await connection(tokens[1]!);
    expect(await statusesOf(tokens)).toEqual([200, 200, 200]);
    publisher.clear();
    const fourth = await login(u.email);
    expect(fourth.status).toBe(200);
    tokens.push(fourth.body.token);
    expect(await statusesOf(tokens)).toEqual([401, 200, 200, 200]);
    expect(disconnected()).toEqual([oldest]);
    expect(disconnected()).not.toContain(newer);
    expect(await sessionsOf(u.id)).toBe(3);
  });

  it("concurrent sign-ins all succeed; the next one brings the user back to the cap", async () => {
    capSessions(3);
    const u = await t.user();
    const burst = await Promise.all(Array.from({ length: 6 }, () => login(u.email)));
    expect(burst.map((r) => r.status)).toEqual(Array(6).fill(200));
    const last = await login(u.email);
    expect(await sessionsOf(u.id)).toBe(3);
    expect((await me(last.body.token)).status).toBe(200);
    expect(await statusesOf([u.token])).toEqual([401]);
  });
});

describe("POST /auth/ws-ticket", () => {
  it("answers a ticket of 43 url-safe characters, for a signed-in caller only", async () => {
    const u = await t.user();
    const res = await t.call("POST", "/auth/ws-ticket", { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ticket: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect((await t.call("POST", "/auth/ws-ticket")).status).toBe(401);
  });
});

describe("tokens", () => {
  it("refuses a validly signed token whose session was never stored", async () => {
    const u = await t.user();
    const forged = await t.deps.tokens.issue({ userId: u.id, sessionId: "01ARZ3NDEKTSV4RRFFQ69G5FAV", expiresAt: Math.floor(Date.now() / 1000) + 60 });
    expect((await me(forged)).status).toBe(401);
  });
});
