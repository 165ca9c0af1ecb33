/**
 * The authorization matrix, route by route: no token → 401; a non-member → 404 (the server's
 * existence is not revealed); a member without the role → 403; the allowed caller → success.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { testApiWithServer, type TestApi, type TestServer, type TestUser } from "@agorusta/testing";

let t: TestApi;
let s: TestServer;
let member: TestUser;
let stranger: TestUser;
let invite: string;
let passwordId: string;

beforeAll(async () => {
  ({ t, s } = await testApiWithServer());
  member = await t.member(s);
  stranger = await t.user();
  invite = (await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} })).body.code;
  passwordId = (await t.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password: "pw-at-least-8" } })).body.id;
});

type Who = "owner" | "member";
interface Route { method: string; path: () => string; body?: () => object; allowed: Who; ok: number }

/** Every server-scoped route. `allowed` is the least role that may call it. */
const routes: Route[] = [
  { method: "GET", path: () => `/servers/${s.id}`, allowed: "member", ok: 200 },
  { method: "POST", path: () => `/servers/${s.id}/channels`, body: () => ({ name: `c${Math.random()}` }), allowed: "owner", ok: 201 },
  { method: "GET", path: () => `/servers/${s.id}/channels/${s.channelId}/messages`, allowed: "member", ok: 200 },
  { method: "POST", path: () => `/servers/${s.id}/channels/${s.channelId}/messages`, body: () => ({ content: "hi" }), allowed: "member", ok: 201 },
  { method: "POST", path: () => `/servers/${s.id}/invites`, body: () => ({}), allowed: "member", ok: 201 },
  { method: "GET", path: () => `/servers/${s.id}/invites`, allowed: "owner", ok: 200 },
  { method: "POST", path: () => `/servers/${s.id}/passwords`, body: () => ({ password: "pw2-at-least-8" }), allowed: "owner", ok: 201 },
  { method: "GET", path: () => `/servers/${s.id}/passwords`, allowed: "owner", ok: 200 },
  // Deletions last: each removes what it names, so it runs once as the owner, after the refusals.
  { method: "DELETE", path: () => `/servers/${s.id}/invites/${invite}`, allowed: "owner", ok: 204 },
  { method: "DELETE", path: () => `/servers/${s.id}/passwords/${passwordId}`, allowed: "owner", ok: 204 },
];

describe.each(routes)("$method $path", (route) => {
  const call = (token?: string) =>
    t.call(route.method, route.path(), { ...(token ? { token } : {}), ...(route.body ? { body: route.body() } : {}) });

  it("answers 401 unauthorized without a token", async () => {
    expect(await call()).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
  });

  it("answers 404 not_found to a non-member", async () => {
    expect(await call(stranger.token)).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it(route.allowed === "owner" ? "answers 403 forbidden to a member" : "lets a member through", async () => {
    const res = await call(member.token);
    if (route.allowed === "owner") expect(res).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    else expect(res.status).toBe(route.ok);
  });

  it("lets the owner through", async () => {
    expect((await call(s.owner.token)).status).toBe(route.ok);
  });
});
