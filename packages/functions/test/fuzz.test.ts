/**
 * Hostile input, generated from a fixed seed so a failure replays: wrong types, huge and odd
 * strings, missing fields, unknown and malformed ids and cursors. Every answer must be a 4xx
 * in the contract's error shape — never a 500, never HTML.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { errorCatalogue } from "@agorusta/core";
import { testApi, testRuntime, type TestApi } from "@agorusta/testing";

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

/** Issue 21: text that is not well-formed, methods no route has, and `Host` headers no client sends. */
describe("fuzzed input: lone surrogates, bytes that are not UTF-8, unknown methods, odd Host headers", () => {
  const lone = ["\uD800", "\uDC00", "\uDBFF", "\uDFFF"];
  /** `text` with a lone surrogate put somewhere in it. */
  const broken = (random: () => number, text: string) => {
    const at = Math.floor(random() * (text.length + 1));
    return `${text.slice(0, at)}${lone[Math.floor(random() * lone.length)]}${text.slice(at)}`;
  };
  const textRoutes: [string, () => string, Record<string, string>][] = [
    ["POST", () => "/auth/register", { email: "x@example.com", username: "someone", password: "long enough secret" }],
    ["POST", () => "/auth/login", { email: "x@example.com", password: "long enough secret" }],
    ["POST", () => "/servers", { name: "a server" }],
    ["POST", () => "/servers/join", { name: "a server", password: "long enough secret" }],
    ["POST", () => `/servers/${serverId}/channels`, { name: "a channel" }],
    ["POST", () => `/servers/${serverId}/channels/${channelId}/messages`, { content: "hello there", nonce: "n1" }],
    ["POST", () => `/servers/${serverId}/channels/${channelId}/attachments`, { filename: "notes.txt", contentType: "text/plain" }],
    ["POST", () => `/servers/${serverId}/passwords`, { password: "long enough secret", label: "for friends" }],
    ["POST", () => "/dms", { userId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }],
    ["POST", () => "/users/me/avatar", { filename: "me.png", contentType: "image/png" }],
  ];

  it("a body whose text fields all hold a lone surrogate never succeeds: a 4xx in the contract's shape", async () => {
    const random = rng(21);
    for (const [method, path, fields] of textRoutes) {
      for (let i = 0; i < 8; i++) {
        const body: Record<string, unknown> = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, broken(random, v)]));
        if (path().endsWith("attachments") || path().endsWith("avatar")) body.size = 3;
        const res = await t.call(method, path(), { token, body });
        expectClientError(res, `${method} ${path()} ${JSON.stringify(body)}`);
      }
    }
  });

  it("bodies and queries with bytes that are not UTF-8 get a 4xx", async () => {
    const random = rng(8);
    const invalid = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80]];
    for (const [method, path, fields] of textRoutes) {
      for (const bad of invalid) {
        const [field] = Object.keys(fields);
        const [before, after] = JSON.stringify({ ...fields, [field!]: "\u0000MARK" }).split("\\u0000MARK");
        const bytes = new Uint8Array([...Buffer.from(before!), ...bad, ...Buffer.from(after!)]);
        const res = await t.app.request(path(), { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: bytes });
        expectClientError({ status: res.status, headers: res.headers, body: await res.json() }, `${method} ${path()} with ${bad}`);
      }
    }
    for (const route of queryRoutes) {
      for (let i = 0; i < 6; i++) {
        const bad = invalid[Math.floor(random() * invalid.length)]!.map((b) => `%${b.toString(16).toUpperCase()}`).join("");
        const name = ["q", "before", "after", "limit", "since", "x"][i]!;
        const res = await t.call("GET", `${route()}?${name}=a${bad}b`, { token });
        expectClientError(res, `GET ${route()}?${name}=a${bad}b`);
      }
    }
  });

  it("methods no route has get a 4xx in the contract's shape, on every route", async () => {
    const paths = [...pathTemplates.map(([, template]) => template("01ARZ3NDEKTSV4RRFFQ69G5FAV")), "/health", "/auth/me", "/users/search?q=a"];
    for (const method of ["FOO", "PROPFIND", "PURGE", "M-SEARCH", "LINK", "Post-It"]) {
      for (const path of paths) expectClientError(await t.call(method, path, { token }), `${method} ${path}`);
    }
  });

  describe("over HTTP, on the one port `npm start` serves", () => {
    let rt: Awaited<ReturnType<typeof testRuntime>>;
    beforeAll(async () => {
      rt = await testRuntime();
    });
    afterAll(() => rt.close());

    /** Writes the request as given and reads the status line, headers and body until the server closes. */
    const raw = (request: string) =>
      new Promise<{ status: number; headers: Headers; body: any }>((resolve, reject) => {
        // Written, not ended: a client that half-closes first gets no answer from Node.
        const socket = connect(rt.port, "127.0.0.1", () => socket.write(request));
        const chunks: Buffer[] = [];
        socket.on("data", (d: Buffer) => chunks.push(d));
        socket.on("error", reject);
        socket.on("close", () => {
          const text = Buffer.concat(chunks).toString("latin1");
          const [head = "", ...rest] = text.split("\r\n\r\n");
          const [statusLine = "", ...lines] = head.split("\r\n");
          const headers = new Headers();
          for (const line of lines) headers.append(line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim());
          let body: unknown = rest.join("\r\n\r\n");
          try {
            body = JSON.parse(body as string);
          } catch {
            /* left as text: the assertion shows it */
          }
          resolve({ status: Number(statusLine.split(" ")[1]), headers, body });
        });
      });

    it("TRACE, CONNECT and methods Node cannot parse get a 4xx in the contract's shape", async () => {
      for (const method of ["TRACE", "TRACK", "CONNECT", "FOO", "trace", "PROPFIND", "BREW"]) {
        for (const target of ["/api/health", "/api/servers", "/", "/ws", "/api/no/such", "*", "127.0.0.1:80"]) {
          const res = await raw(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${rt.port}\r\nConnection: close\r\n\r\n`);
          // The web app's own answers to a page (PROPFIND / is its 404) are not the API's: there only the status is checked.
          if (method === "PROPFIND" && !target.startsWith("/api")) expect([400, 404], `${method} ${target}`).toContain(res.status);
          else expectClientError(res, `${method} ${target} → ${res.status}`);
        }
      }
    });

    it("odd Host headers never get a 5xx; what is refused is refused in the contract's shape", async () => {
      const random = rng(421);
      const hosts = [
        "evil.example", `evil.example:${rt.port}`, "", " ", "localhost:99999", "[::1", "::1", "127.0.0.1:0", "x".repeat(4000), "a b",
        "127.0.0.1:3000, evil.example", "%00", "\u00e9vil.example", "-", ".", "[", `localhost.:${rt.port}`,
      ];
      for (let i = 0; i < 40; i++) {
        const host = hosts[Math.floor(random() * hosts.length)]!;
        const path = ["/api/health", "/api/auth/me", `/api/servers/${serverId}`, "/api/users/search?q=ab", "/"][i % 5]!;
        const auth = path === "/api/health" || path === "/" ? "" : `Authorization: Bearer ${token}\r\n`;
        const hostLine = random() < 0.1 ? "" : `Host: ${host}\r\n`; // sometimes none at all
        const res = await raw(`GET ${path} HTTP/1.1\r\n${hostLine}${auth}Connection: close\r\n\r\n`);
        expect(res.status, `${JSON.stringify(host)} ${path}`).toBeLessThan(500);
        if (res.status >= 400 && path !== "/") expectClientError(res, `Host ${hostLine ? JSON.stringify(host) : "none"} ${path} → ${res.status} ${[...res.headers].join(" ")}`);
      }
    });
  });
});
