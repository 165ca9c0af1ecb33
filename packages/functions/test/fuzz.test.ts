/**
 * Hostile input, generated from a fixed seed so a failure replays: wrong types, huge and odd
 * strings, missing fields, unknown and malformed ids and cursors. Every answer must be a 4xx
 * in the contract's error shape — never a 500, never HTML.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { errorCatalogue } from "@agorusta/core";
import { testApi, type TestApi } from "@agorusta/testing";

let t: TestApi;
let token: string;
let serverId: string;
let channelId: string;

beforeAll(async () => {
  // Posts far more than 20 messages a conversation in 10 s: the message rate limit would refuse them.
  t = await testApi({ usageLimits: "off" });
  const s = await t.server();
  token = s.owner.token;
  serverId = s.id;
  channelId = s.channelId;
});

/** mulberry32: small, seeded, good enough to spread cases. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

const weird: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, -0, "", " ", "\u0000", "\uD800", "🦀".repeat(5000), "x".repeat(60_000),
  "<script>alert(1)</script>", "' OR 1=1 --", "$agorusta#userId_x", "../../etc/passwd", [], [1, 2], {}, { $ne: null },
  { nested: { deep: [null] } }, "NaN", "Infinity", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "%00", "\n\r\t",
];
const weirdPathSegments = ["x", "0", "%2e%2e", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "Z".repeat(26), "a".repeat(2000), "%F0%9F%A6%80", "null", "%00"];
const weirdQueries = ["limit=0", "limit=999999999999999999999", "limit=-5", "limit=1e3", "before=..", "after=", "before=%00", "q=", `q=${"a".repeat(40)}`, "limit=50&limit=20", "before=01ARZ3NDEKTSV4RRFFQ69G5FAV&after=01ARZ3NDEKTSV4RRFFQ69G5FAV"];

const bodyRoutes: [string, () => string, string[]][] = [
  ["POST", () => "/auth/register", ["email", "username", "password"]],
  ["POST", () => "/auth/login", ["email", "password"]],
  ["POST", () => "/servers", ["name"]],
  ["POST", () => "/servers/join", ["name", "password"]],
  ["POST", () => `/servers/${serverId}/channels`, ["name"]],
  ["POST", () => `/servers/${serverId}/channels/${channelId}/messages`, ["content"]],
  ["POST", () => `/servers/${serverId}/invites`, ["maxUses", "expiresInSeconds"]],
  ["POST", () => `/servers/${serverId}/passwords`, ["password", "label", "expiresInSeconds"]],
  ["POST", () => "/dms", ["userId"]],
  ["POST", () => "/dms/01ARZ3NDEKTSV4RRFFQ69G5FAV/messages", ["content"]],
];
const pathTemplates: [string, (id: string) => string][] = [
  ["GET", (id) => `/servers/${id}`],
  ["POST", (id) => `/servers/${id}/channels`],
  ["GET", (id) => `/servers/${serverId}/channels/${id}/messages`],
  ["GET", (id) => `/servers/${id}/channels/${channelId}/messages`],
  ["POST", (id) => `/servers/${serverId}/channels/${id}/messages`],
  ["GET", (id) => `/servers/${id}/invites`],
  ["DELETE", (id) => `/servers/${serverId}/invites/${id}`],
  ["DELETE", (id) => `/servers/${serverId}/passwords/${id}`],
  ["GET", (id) => `/invites/${id}`],
  ["POST", (id) => `/invites/${id}/join`],
  ["GET", (id) => `/dms/${id}`],
  ["GET", (id) => `/dms/${id}/messages`],
  ["POST", (id) => `/dms/${id}/messages`],
];
const queryRoutes = [() => `/servers/${serverId}/channels/${channelId}/messages`, () => "/users/search", () => "/dms/01ARZ3NDEKTSV4RRFFQ69G5FAV/messages"];

function expectClientError(res: { status: number; body: any; headers: Headers }, what: string) {
  expect(res.status, `${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, what).toBeLessThan(500);
  expect(res.headers.get("content-type"), what).toMatch(/application\/json/);
  expect(Object.keys(errorCatalogue), what).toContain(res.body?.error?.code);
  expect(typeof res.body.error.message, what).toBe("string");
}

describe("fuzzed input", () => {
  it("bodies with wrong types, odd strings and missing fields get a 4xx in the contract's shape", async () => {
    const random = rng(20261125);
    const pick = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
    for (const [method, path, fields] of bodyRoutes) {
      for (let i = 0; i < 25; i++) {
        const body: Record<string, unknown> = {};
        for (const f of fields) if (random() < 0.8) body[f] = pick(weird);
        if (random() < 0.2) body[pick(["__proto__", "constructor", "extra"])] = pick(weird);
        const raw = JSON.stringify(body);
        if (raw.length > 64 * 1024) continue; // the body limit has its own test
        const res = await t.call(method, path(), { token, raw });
        // A body that happens to be valid may succeed; everything else must be a clean 4xx.
        if (res.status < 300) continue;
        expectClientError(res, `${method} ${path()} ${raw.slice(0, 200)}`);
      }
      for (const raw of ["", "{", "[]", "null", "1", '"s"', '{"a":', "\u0000", "{}".repeat(10)]) {
        expectClientError(await t.call(method, path(), { token, raw }), `${method} ${path()} raw ${JSON.stringify(raw)}`);
      }
    }
  });

  it("unknown and malformed ids in the path get a 4xx", async () => {
    for (const [method, template] of pathTemplates) {
      for (const seg of weirdPathSegments) {
        const path = template(seg);
        const res = await t.call(method, path, { token, ...(method === "POST" ? { body: { content: "x", name: "xx" } } : {}) });
        expectClientError(res, `${method} ${path.slice(0, 120)}`);
      }
    }
  });

  it("malformed queries and cursors get a 4xx (or an empty page for a well-formed unknown cursor)", async () => {
    for (const route of queryRoutes) {
      for (const q of weirdQueries) {
        const res = await t.call("GET", `${route()}?${q}`, { token });
        if (res.status === 200) {
          expect(Array.isArray(res.body), `${route()}?${q}`).toBe(true);
          continue;
        }
        expectClientError(res, `GET ${route()}?${q}`);
      }
    }
  });

  it("odd headers get a 4xx: bad content-type, bad bearer, huge token", async () => {
    const path = `/servers/${serverId}/channels/${channelId}/messages`;
    expectClientError(await t.call("POST", path, { token, raw: "content=hi", headers: { "content-type": "application/x-www-form-urlencoded" } }), "form body");
    expectClientError(await t.call("POST", path, { token, raw: '{"content":"hi"}', headers: { "content-type": "text/plain" } }), "text/plain");
    expectClientError(await t.call("GET", path, { headers: { authorization: "Bearer" } }), "empty bearer");
    expectClientError(await t.call("GET", path, { headers: { authorization: `Bearer ${"a".repeat(8000)}` } }), "huge token");
  });
});
