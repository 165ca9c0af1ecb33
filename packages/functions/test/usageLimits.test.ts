/**
 * The abuse limits of api.md "Limits": rates (429 rate_limited with retry-after) and caps on what
 * is live in a server (409 limit_reached, held by the database), and `AGORUSTA_RATE_LIMITS=off`
 * (deps.usageLimits "off") turning them all off but never the brute-force limits. Small numbers
 * stand in for the contract's, which usageLimits holds (checked last).
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import argon2 from "argon2";
import { bruteForcePolicies, usageLimits, type UsageLimits } from "@agorusta/core/limits";
import { testApi, testLimits, type ApiResponse, type TestApi } from "@agorusta/testing";

/** Windows are aligned to the epoch; one of 2^32 s cannot roll over mid-test. */
const NO_EDGE = 2 ** 32;
const few = (limit: number) => ({ limit, windowSeconds: NO_EDGE });
const small: UsageLimits = {
  messages: few(3),
  edits: few(2),
  reactions: few(3),
  startDm: few(2),
  createServer: few(2),
  // The harness registers every test user from one address; the registration test has its own.
  register: testLimits.register,
  userSearch: few(2),
  serverPasswords: 3,
  invites: 55,
  invitesOfMembers: 50,
  invitesPerMember: 3,
  channels: 5,
  sessions: 3,
};

let t: TestApi;
beforeAll(async () => {
  t = await testApi({ usageLimits: small });
});
afterEach(() => vi.restoreAllMocks());

const statuses = (rs: ApiResponse[]) => rs.map((r) => r.status);
async function inTurn(n: number, run: (i: number) => Promise<ApiResponse>) {
  const out: ApiResponse[] = [];
  for (let i = 0; i < n; i++) out.push(await run(i));
  return out;
}
function expectRateLimited(res: ApiResponse) {
  expect(res).toMatchObject({ status: 429, body: { error: { code: "rate_limited" } } });
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
}
let octet = 0;
const from = () => ({ requestContext: { http: { sourceIp: `203.0.113.${++octet}` } } });

describe("rate limits", () => {
  it("messages: per user per conversation, channel or DM", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const path = (cid: string) => `/servers/${s.id}/channels/${cid}/messages`;
    const post = (token: string, cid = s.channelId) => t.call("POST", path(cid), { token, body: { content: "hi" } });
    expect(statuses(await inTurn(3, () => post(s.owner.token)))).toEqual([201, 201, 201]);
    const refused = await post(s.owner.token);
    expectRateLimited(refused);
    expect(refused.body.error.message).toMatch(/^You are sending messages too fast\. Try again in \d+ /);
    // Another member in the same channel, and the same owner in another channel, have their own budgets.
    expect((await post(m.token)).status).toBe(201);
    const other = (await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "other" } })).body.id;
    expect((await post(s.owner.token, other)).status).toBe(201);

    const dm = (await t.call("POST", "/dms", { token: m.token, body: { userId: s.owner.id } })).body.id;
    const send = () => t.call("POST", `/dms/${dm}/messages`, { token: m.token, body: { content: "psst" } });
    expect(statuses(await inTurn(3, send))).toEqual([201, 201, 201]);
    expectRateLimited(await send());
  });

  it("edits and reactions: per user per conversation, channel or DM; a refused one changes nothing and tells no one", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const messages = `/servers/${s.id}/channels/${s.channelId}/messages`;
    const posted = (await t.call("POST", messages, { token: m.token, body: { content: "first" } })).body;
    const edit = (content: string) => t.call("PATCH", `${messages}/${posted.id}`, { token: m.token, body: { content } });
    expect(statuses(await inTurn(2, (i) => edit(`edit ${i}`)))).toEqual([200, 200]);
    const refusedEdit = await edit("too many");
    expectRateLimited(refusedEdit);
    expect(refusedEdit.body.error.message).toMatch(/^You are editing messages too fast\. Try again in \d+ /);
    const changes = `/servers/${s.id}/channels/${s.channelId}/changes`;
    const stored = (await t.call("GET", messages, { token: m.token })).body.find((x: { id: string }) => x.id === posted.id);
    expect(stored).toMatchObject({ content: "edit 1", revision: 3 });

    // Reactions: toggles count, whatever they change; the owner (another user) has a budget of their own.
    const reaction = (token: string, emoji: string, method: "PUT" | "DELETE" = "PUT") =>
      t.call(method, `${messages}/${posted.id}/reactions/${encodeURIComponent(emoji)}/me`, { token });
    const { cursor } = (await t.call("GET", changes, { token: m.token })).body;
    expect(statuses([await reaction(m.token, "👍"), await reaction(m.token, "👍", "DELETE"), await reaction(m.token, "🎉")])).toEqual([204, 204, 204]);
    const refusedReaction = await reaction(m.token, "🔥");
    expectRateLimited(refusedReaction);
    expect(refusedReaction.body.error.message).toMatch(/^You are reacting too fast\. Try again in \d+ /);
    expect((await reaction(s.owner.token, "🔥")).status).toBe(204);
    // Exactly the three accepted toggles and the owner's reached the feed: the refused one wrote nothing.
    const feed = (await t.call("GET", `${changes}?since=${cursor}`, { token: m.token })).body;
    expect(feed.changes).toHaveLength(1);
    expect(feed.changes[0].message.reactions).toEqual([{ emoji: "🎉", count: 1, me: true }, { emoji: "🔥", count: 1, me: false }]);
    // Edits and reactions have budgets apart from messages, and from each other.
    expect((await t.call("POST", messages, { token: m.token, body: { content: "still allowed" } })).status).toBe(201);

    // The same in a DM.
    const dm = (await t.call("POST", "/dms", { token: m.token, body: { userId: s.owner.id } })).body.id;
    const dmMessage = (await t.call("POST", `/dms/${dm}/messages`, { token: m.token, body: { content: "psst" } })).body.id;
    const dmEdit = () => t.call("PATCH", `/dms/${dm}/messages/${dmMessage}`, { token: m.token, body: { content: "psst!" } });
    expect(statuses(await inTurn(2, dmEdit))).toEqual([200, 200]);
    expectRateLimited(await dmEdit());
    const dmReact = () => t.call("PUT", `/dms/${dm}/messages/${dmMessage}/reactions/${encodeURIComponent("👍")}/me`, { token: m.token });
    expect(statuses(await inTurn(3, dmReact))).toEqual([204, 204, 204]);
    expectRateLimited(await dmReact());
  });

  it("starting DMs: new conversations only; opening one the pair has is free", async () => {
    const a = await t.user();
    const [b, c, d] = [await t.user(), await t.user(), await t.user()];
    const start = (userId: string) => t.call("POST", "/dms", { token: a.token, body: { userId } });
    expect(statuses([await start(b.id), await start(c.id)])).toEqual([201, 201]);
    expect(statuses(await inTurn(3, () => start(b.id)))).toEqual([200, 200, 200]);
    expectRateLimited(await start(d.id));
    // The other side may still start one with a.
    expect((await t.call("POST", "/dms", { token: d.token, body: { userId: a.id } })).status).toBe(201);
  });

  it("creating servers, per user", async () => {
    const u = await t.user();
    const create = (i: number) => t.call("POST", "/servers", { token: u.token, body: { name: `rate ${u.id} ${i}` } });
    expect(statuses(await inTurn(2, create))).toEqual([201, 201]);
    expectRateLimited(await create(3));
  });

  it("registering, per client address", async () => {
    const registering = await testApi({ usageLimits: { ...small, register: few(2) } });
    const here = from();
    const register = (n: string, env = here) =>
      registering.call("POST", "/auth/register", { env, body: { email: `${n}@example.com`, username: n, password: "correct horse battery" } });
    const stamp = Date.now().toString(36);
    expect(statuses([await register(`ra${stamp}`), await register(`rb${stamp}`)])).toEqual([201, 201]);
    expectRateLimited(await register(`rc${stamp}`));
    expect((await register(`rd${stamp}`, from())).status).toBe(201);
  });

  it("user search, per user", async () => {
    const u = await t.user();
    const search = () => t.call("GET", "/users/search?q=a", { token: u.token });
    expect(statuses(await inTurn(2, search))).toEqual([200, 200]);
    expectRateLimited(await search());
  });
});

describe("registration checks uniqueness before hashing", () => {
  it("refuses a taken email or username after one BatchGetItem, with no argon2 work and no transaction", async () => {
    const taken = await t.user();
    const hash = vi.spyOn(argon2, "hash");
    for (const k of Object.keys(t.deps.dynamo.counts)) delete t.deps.dynamo.counts[k];
    const res = await t.call("POST", "/auth/register", { env: from(), body: { email: taken.email.toUpperCase(), username: `free${Date.now()}`, password: "correct horse battery" } });
    expect(res).toMatchObject({ status: 409, body: { error: { code: "email_taken" } } });
    const byName = await t.call("POST", "/auth/register", { env: from(), body: { email: `free${Date.now()}@example.com`, username: taken.username.toUpperCase(), password: "correct horse battery" } });
    expect(byName).toMatchObject({ status: 409, body: { error: { code: "username_taken" } } });
    expect(hash).not.toHaveBeenCalled();
    // Per attempt: the registration counter and the guards.
    expect(t.deps.dynamo.counts).toEqual({ UpdateItem: 2, BatchGetItem: 2 });
  });
});

describe("live caps", () => {
  const addPassword = (s: { id: string; owner: { token: string } }, password: string) =>
    t.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password } });

  it("server passwords: concurrent creations past the cap give exactly the cap, the rest 409 limit_reached", async () => {
    const s = await t.server();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => addPassword(s, `password number ${i}`)));
    expect(statuses(results).filter((x) => x === 201)).toHaveLength(3);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(5);
    expect(refused[0]!.body.error.code).toBe("limit_reached");
    expect((await t.call("GET", `/servers/${s.id}/passwords`, { token: s.owner.token })).body).toHaveLength(3);
  });

  it("server passwords: a deleted or expired one frees its place", async () => {
    const s = await t.server();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await addPassword(s, `password number ${i}`)).body.id);
    expect((await addPassword(s, "one too many")).status).toBe(409);
    expect((await t.call("DELETE", `/servers/${s.id}/passwords/${ids[0]}`, { token: s.owner.token })).status).toBe(204);
    expect((await addPassword(s, "in its place")).status).toBe(201);
    expect((await addPassword(s, "one too many")).status).toBe(409);
    // As if one had expired a moment ago (its TTL not yet swept): it is no longer live.
    const { data: slots } = await t.deps.db.entities.liveSlots.query.byServer({ serverId: s.id, kind: "serverPassword" }).go();
    const held = slots.find((x) => x.holderId === ids[1])!;
    await t.deps.db.entities.liveSlots.put({ ...held, expiresAtMs: Date.now() - 1000 }).go();
    expect((await addPassword(s, "after an expiry")).status).toBe(201);
  });

  it("invites: the cap holds across the random slot tries and the full read near the top", async () => {
    const s = await t.server();
    const create = () => t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} });
    const made = await inTurn(55, create);
    expect(made.every((r) => r.status === 201)).toBe(true);
    const over = await Promise.all([create(), create(), create()]);
    expect(over.map((r) => [r.status, r.body.error?.code])).toEqual(Array(3).fill([409, "limit_reached"]));
    expect((await t.call("DELETE", `/servers/${s.id}/invites/${made[7]!.body.code}`, { token: s.owner.token })).status).toBe(204);
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(409);
    // 60 creations one after another: ~20 s on a quiet 2-core machine beside the browser tests, so
    // more room than the default 30 s (a bound on waiting, not an assertion of speed).
  }, 90_000);
});

describe("live caps of invites per member, and of channels (issue 21, item 3)", () => {
  const create = (s: { id: string }, token: string, body: object = {}) => t.call("POST", `/servers/${s.id}/invites`, { token, body });
  const refusedAsFull = (r: ApiResponse) => r.status === 409 && r.body.error.code === "limit_reached";

  it("invites: 20 concurrent creations by one member admit exactly their cap; the owner still creates past it", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const results = await Promise.all(Array.from({ length: 20 }, () => create(s, m.token)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(small.invitesPerMember);
    expect(results.filter(refusedAsFull)).toHaveLength(20 - small.invitesPerMember);
    expect(results.find(refusedAsFull)!.body.error.message).toMatch(/at most 3 live invites in this server/);
    // Another member has a cap of their own, and the owner none but the server's.
    expect((await create(s, (await t.member(s)).token)).status).toBe(201);
    expect(statuses(await inTurn(5, () => create(s, s.owner.token)))).toEqual([201, 201, 201, 201, 201]);
  });

  it("invites: a member's expired or deleted one frees their place", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const made = await inTurn(3, () => create(s, m.token, { expiresInSeconds: 3600 }));
    expect(refusedAsFull(await create(s, m.token))).toBe(true);
    expect((await t.call("DELETE", `/servers/${s.id}/invites/${made[0]!.body.code}`, { token: m.token })).status).toBe(204);
    expect((await create(s, m.token)).status).toBe(201);
    expect(refusedAsFull(await create(s, m.token))).toBe(true);
    // As if one had expired a moment ago (its TTL not yet swept): it no longer counts.
    const { data: slots } = await t.deps.db.entities.liveSlots.query.byServer({ serverId: s.id, kind: `invite:${m.id}` }).go();
    const held = slots.find((x) => x.holderId === made[1]!.body.code)!;
    await t.deps.db.entities.liveSlots.put({ ...held, expiresAtMs: Date.now() - 1000 }).go();
    expect((await create(s, m.token)).status).toBe(201);
  });

  it("invites: members together fill only their share, so the owner can always create one", async () => {
    const shares = await testApi({ usageLimits: { ...small, invites: 6, invitesOfMembers: 4, invitesPerMember: 2 } });
    const s = await shares.server();
    const [a, b, c] = [await shares.member(s), await shares.member(s), await shares.member(s)];
    const make = (token: string) => shares.call("POST", `/servers/${s.id}/invites`, { token, body: {} });
    // The owner's invites the members joined by go, so only what follows holds a place.
    for (const i of (await shares.call("GET", `/servers/${s.id}/invites`, { token: s.owner.token })).body) {
      await shares.call("DELETE", `/servers/${s.id}/invites/${i.code}`, { token: s.owner.token });
    }
    expect(statuses(await Promise.all([a, a, b, b].map((m) => make(m.token))))).toEqual([201, 201, 201, 201]);
    const third = await make(c.token);
    expect(refusedAsFull(third)).toBe(true);
    expect(third.body.error.message).toMatch(/as many invites from its members as it can/);
    expect(statuses(await inTurn(2, () => make(s.owner.token)))).toEqual([201, 201]);
    expect(refusedAsFull(await make(s.owner.token))).toBe(true);
  });

  const addChannel = (s: { id: string; owner: { token: string } }, name: string) =>
    t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name } });

  it("channels: 20 concurrent creations near the cap admit exactly the remainder, the rest 409 limit_reached", async () => {
    const s = await t.server();
    expect((await addChannel(s, "second")).status).toBe(201);
    // `general` and `second`: three of the five left.
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => addChannel(s, `race ${i}`)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(small.channels - 2);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === "limit_reached")).toHaveLength(20 - (small.channels - 2));
    expect((await t.call("GET", `/servers/${s.id}`, { token: s.owner.token })).body.channels).toHaveLength(small.channels);
  });

  it("channels: a server made before they were counted is counted first, under concurrency too", async () => {
    const s = await t.server();
    for (const name of ["b", "c"]) expect((await addChannel(s, name)).status).toBe(201);
    // As a server from before the count: three channels, no counter.
    await t.deps.db.entities.servers.patch({ serverId: s.id }).remove(["channelCount"]).go();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => addChannel(s, `late ${i}`)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(small.channels - 3);
    expect(results.filter((r) => r.status === 409)).toHaveLength(8 - (small.channels - 3));
    expect((await t.deps.db.entities.servers.get({ serverId: s.id }).go()).data?.channelCount).toBe(small.channels);
  });
});

describe("argon2 work per join by password", () => {
  it("stops at the first matching password", async () => {
    const s = await t.server();
    for (const p of ["first password", "second password", "third password"]) await addPassword(s, p);
    const joiner = await t.user();
    const verify = vi.spyOn(argon2, "verify");
    const res = await t.call("POST", "/servers/join", { token: joiner.token, env: from(), body: { name: s.name, password: "first password" } });
    expect(res.status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
    verify.mockClear();
    const wrong = await t.call("POST", "/servers/join", { token: joiner.token, env: from(), body: { name: s.name, password: "no such one" } });
    expect(wrong.status).toBe(403);
    expect(verify).toHaveBeenCalledTimes(3);
  });

  function addPassword(s: { id: string; owner: { token: string } }, password: string) {
    return t.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password } });
  }

  it("a success does not hand back the per-address attempt: one address cannot repeat argon2 work without end", async () => {
    const limited = await testApi({
      rateLimits: { ...bruteForcePolicies, joinByPassword: { ...bruteForcePolicies.joinByPassword, perTarget: few(100), perAddress: few(3) } },
    });
    const s = await limited.server();
    await limited.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password: "the right one" } });
    const address = from();
    const join = async () =>
      limited.call("POST", "/servers/join", { token: (await limited.user()).token, env: address, body: { name: s.name, password: "the right one" } });
    expect(statuses(await inTurn(3, join))).toEqual([200, 200, 200]);
    expectRateLimited(await join());
  });
});

describe("AGORUSTA_RATE_LIMITS=off", () => {
  // Eleven password hashes and 25 messages: a loaded machine needs more than the default 30 s.
  it("turns every abuse limit off, and none of the brute-force limits", { timeout: 120_000 }, async () => {
    const off = await testApi({ usageLimits: "off", rateLimits: { ...bruteForcePolicies, login: { ...bruteForcePolicies.login, perTarget: few(2) } } });
    const s = await off.server();
    const path = `/servers/${s.id}/channels/${s.channelId}/messages`;
    const posted = await inTurn(25, (i) => off.call("POST", path, { token: s.owner.token, body: { content: `m${i}` } }));
    expect(posted.every((r) => r.status === 201)).toBe(true);
    const passwords = await inTurn(11, (i) => off.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password: `password ${i}` } }));
    expect(passwords.every((r) => r.status === 201)).toBe(true);
    const login = () => off.call("POST", "/auth/login", { env: from(), body: { email: s.owner.email, password: "wrong wrong" } });
    expect(statuses(await inTurn(2, login))).toEqual([401, 401]);
    expectRateLimited(await login());
  });

  it("the numbers in force are the contract's", () => {
    expect(usageLimits).toEqual({
      messages: { limit: 20, windowSeconds: 10 },
      edits: { limit: 10, windowSeconds: 10 },
      reactions: { limit: 20, windowSeconds: 10 },
      startDm: { limit: 20, windowSeconds: 3600 },
      createServer: { limit: 10, windowSeconds: 3600 },
      register: { limit: 30, windowSeconds: 3600 },
      userSearch: { limit: 60, windowSeconds: 60 },
      serverPasswords: 10,
      invites: 1000,
      invitesOfMembers: 900,
      invitesPerMember: 20,
      channels: 500,
      sessions: 50,
    });
  });
});
