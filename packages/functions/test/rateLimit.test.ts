import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Hono } from "hono";
import { handle } from "hono/aws-lambda";
import { addressBucket, bruteForcePolicies, consumeAttempt, counterKey, limitFailures, type RateLimitPolicy } from "@agorusta/core/limits";
import { AppError } from "@agorusta/core";
import { clientAddress } from "@agorusta/functions/http/clientAddress";
import { freshDeps, runtimeApi, testApi, testRuntime, type ApiResponse, type TestApi, type TestUser } from "@agorusta/testing";
import type { Runtime } from "@agorusta/local/runtime";

const PASSWORD = "correct horse battery";
/**
 * Windows are aligned to the epoch, so a 15-minute one would start afresh in the middle of a
 * test run at :00, :15, :30 or :45. This one spans 1970–2106: no run crosses its edge.
 */
const NO_EDGE = 2 ** 32;
const small = {
  perTarget: { limit: 2, windowSeconds: NO_EDGE },
  perAddress: { limit: 4, windowSeconds: NO_EDGE },
  refundAddressOnSuccess: true,
};

let t: TestApi;
/** One account per test that needs a real one: each ends with its own counter spent. */
let typist: TestUser, victim: TestUser, known: TestUser, priced: TestUser;
beforeAll(async () => {
  t = await testApi({ rateLimits: { ...bruteForcePolicies, login: small } });
  [typist, victim, known, priced] = await Promise.all([t.user(), t.user(), t.user(), t.user()]);
});

let lastOctet = 0;
/** A fresh client address each call, so the per-address counter stays out of the way. */
const freshAddress = () => `198.51.100.${++lastOctet}`;
/** What API Gateway's HTTP API hands hono/aws-lambda: the caller's address as it saw it. */
const from = (sourceIp: string) => ({ requestContext: { http: { sourceIp } } });

const login = (email: string, password: string, address = freshAddress(), headers: Record<string, string> = {}) =>
  t.call("POST", "/auth/login", { body: { email, password }, env: from(address), headers });
const statuses = (responses: ApiResponse[]) => responses.map((r) => r.status);
async function inTurn(n: number, attempt: (i: number) => Promise<ApiResponse>) {
  const out: ApiResponse[] = [];
  for (let i = 0; i < n; i++) out.push(await attempt(i));
  return out;
}

/** Runs a request and returns it with the DynamoDB requests it made, by operation. */
async function measured(run: () => Promise<ApiResponse>) {
  const counts = t.deps.dynamo.counts;
  for (const k of Object.keys(counts)) delete counts[k];
  const res = await run();
  return { res, requests: { ...counts } };
}

describe("POST /auth/login under brute-force limits", () => {
  it("lets a person in after a typo, and correct logins never use up the limit", async () => {
    const address = freshAddress();
    expect((await login(typist.email, "typo typo", address)).status).toBe(401);
    // Five successes from the same address: past both limits, had successes counted.
    expect(statuses(await inTurn(5, () => login(typist.email, PASSWORD, address)))).toEqual(Array(5).fill(200));
  });

  it("refuses a guessing run on one account with 429 rate_limited and retry-after, even for the right password", async () => {
    expect(statuses(await inTurn(2, () => login(victim.email, "guess")))).toEqual([401, 401]);
    const refused = await login(victim.email, "guess");
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { code: "rate_limited", message: expect.stringMatching(/^Too many attempts\. Try again in \d+ minutes?\.$/) } });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(NO_EDGE);
    expect((await login(victim.email, PASSWORD)).status).toBe(429);
  });

  it("counts an account once whatever the case and spacing of its email", async () => {
    const email = "case.probe@example.com";
    const variants = [email.toUpperCase(), `  ${email}  `];
    expect(statuses(await Promise.all(variants.map((e) => login(e, "guess"))))).toEqual([401, 401]);
    expect((await login("Case.Probe@Example.COM", "guess")).status).toBe(429);
  });

  it("limits unknown emails exactly like real ones, so the limit reveals no account", async () => {
    const unknown = await inTurn(3, () => login("nobody-at-all@example.com", "guess"));
    const real = await inTurn(3, () => login(known.email, "guess"));
    expect(statuses(unknown)).toEqual([401, 401, 429]);
    expect(statuses(real)).toEqual(statuses(unknown));
    expect(unknown.slice(0, 2).map((r) => r.body)).toEqual(real.slice(0, 2).map((r) => r.body));
    // The refusals differ only in the wait, which ticks between the two runs.
    expect(unknown[2]!.body.error.code).toBe("rate_limited");
    expect(real[2]!.body.error.code).toBe("rate_limited");
  });

  it("refuses guesses spread over many accounts from one address, and only from that address", async () => {
    const address = freshAddress();
    const spread = await inTurn(5, (i) => login(`spread${i}@example.com`, "guess", address));
    expect(statuses(spread)).toEqual([401, 401, 401, 401, 429]);
    expect((await login("spread-other@example.com", "guess", freshAddress())).status).toBe(401);
  });

  it("counts the address the platform saw, whatever X-Forwarded-For claims", async () => {
    const address = freshAddress();
    const spoofed = await inTurn(5, (i) =>
      login(`spoof${i}@example.com`, "guess", address, { "x-forwarded-for": `203.0.113.${i}, 192.0.2.${i}` }),
    );
    expect(statuses(spoofed)).toEqual([401, 401, 401, 401, 429]);
  });

  it("counts an IPv6 client by its /64", async () => {
    const spread = await inTurn(5, (i) => login(`six${i}@example.com`, "guess", `2001:db8:77:1::${(i + 1).toString(16)}`));
    expect(statuses(spread)).toEqual([401, 401, 401, 401, 429]);
    expect((await login("six-other@example.com", "guess", "2001:db8:77:2::1")).status).toBe(401);
  });

  it("checks exactly the limit's worth of twenty simultaneous guesses and refuses the rest", async () => {
    const all = statuses(await Promise.all(Array.from({ length: 20 }, () => login("burst@example.com", "guess"))));
    expect(all.filter((s) => s === 401)).toHaveLength(2);
    expect(all.filter((s) => s === 429)).toHaveLength(18);
  });

  it("answers 401, not 500, to emails whose folded form would overflow a key", async () => {
    // NFKC turns each of these into 18 letters: 254 of them fold to 4572 characters.
    for (const email of ["ﷺ".repeat(254), "😀".repeat(127), "a\u0000b"]) {
      const res = await login(email, "guess");
      expect(res.status, email.slice(0, 5)).toBe(401);
    }
  });

  it("costs two reads and two counter bumps per failure, plus two refunds on success, and no read once refused", async () => {
    const address = freshAddress();
    const ok = await measured(() => login(priced.email, PASSWORD, address));
    expect(ok.res.status).toBe(200);
    // A success also opens its session (a transaction checking the password hash is unchanged),
    // then reads the user's sessions to keep them under the cap (one Query).
    expect(ok.requests).toEqual({ GetItem: 2, UpdateItem: 4, TransactWriteItems: 1, Query: 1 });
    const wrong = await measured(() => login(priced.email, "guess", address));
    expect(wrong.res.status).toBe(401);
    expect(wrong.requests).toEqual({ GetItem: 2, UpdateItem: 2 });
    await login(priced.email, "guess", address);
    const refused = await measured(() => login(priced.email, "guess", address));
    expect(refused.res.status).toBe(429);
    expect(refused.requests).toEqual({ UpdateItem: 2 });
  });
});

describe("the counters (core)", () => {
  let db: Awaited<ReturnType<typeof freshDeps>>["db"];
  beforeAll(async () => {
    db = (await freshDeps()).db;
  });
  const policy: RateLimitPolicy = { limit: 2, windowSeconds: 60 };
  /** Times are given to the counters, so windows are exact: `at(s)` is s seconds into a window of `policy`. */
  const windowStart = Math.floor(Date.now() / 60_000) * 60_000;
  const at = (seconds: number) => windowStart + seconds * 1000;
  const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

  it("refuses past the limit until the window ends, with retryAfter the seconds left", async () => {
    await consumeAttempt(db, "window-test", policy, at(10));
    await consumeAttempt(db, "window-test", policy, at(20));
    const refused = await refusal(consumeAttempt(db, "window-test", policy, at(30)));
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "rate_limited", status: 429, retryAfter: 30 });
    await expect(consumeAttempt(db, "window-test", policy, at(60))).resolves.toBeUndefined();
  });

  it("keeps separate counts for separate keys and for windows of different lengths", async () => {
    await consumeAttempt(db, "key-a", policy, at(1));
    await consumeAttempt(db, "key-a", policy, at(2));
    await expect(consumeAttempt(db, "key-b", policy, at(3))).resolves.toBeUndefined();
    await expect(consumeAttempt(db, "key-a", { limit: 2, windowSeconds: 120 }, at(4))).resolves.toBeUndefined();
  });

  it("gives back a successful check's count and keeps a failed one's", async () => {
    const counter = { key: "refunds", policy };
    const fail = () => limitFailures(db, [counter], async () => { throw new AppError("invalid_credentials"); }, at(1));
    const succeed = () => limitFailures(db, [counter], async () => "ok", at(2));
    for (let i = 0; i < 5; i++) expect(await succeed()).toBe("ok");
    expect(await refusal(fail())).toMatchObject({ code: "invalid_credentials" });
    expect(await refusal(fail())).toMatchObject({ code: "invalid_credentials" });
    expect(await refusal(succeed())).toMatchObject({ code: "rate_limited" });
  });

  it("answers the longest wait when several counters are exhausted", async () => {
    const short = { key: "short", policy: { limit: 1, windowSeconds: 60 } };
    const long = { key: "long", policy: { limit: 1, windowSeconds: 3600 } };
    const now = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 30_000;
    const fail = () => limitFailures(db, [short, long], async () => { throw new AppError("invalid_credentials"); }, now);
    await refusal(fail());
    expect(await refusal(fail())).toMatchObject({ code: "rate_limited", retryAfter: 3570 });
  });

  it("lets the table's TTL sweep counters soon after their window ends", async () => {
    await consumeAttempt(db, "ttl-probe", policy, at(5));
    const { data } = await db.entities.rateLimits.query.byKey({ key: counterKey("ttl-probe") }).go();
    expect(data).toHaveLength(1);
    const windowEnd = (windowStart + 60_000) / 1000;
    expect(data[0]).toMatchObject({ window: `60s:${windowStart / 60_000}`, count: 1 });
    expect(data[0]!.ttl).toBeGreaterThan(windowEnd);
    expect(data[0]!.ttl).toBeLessThanOrEqual(windowEnd + 300);
  });
});

describe("addressBucket", () => {
  it.each([
    ["203.0.113.9", "203.0.113.9"],
    ["::ffff:203.0.113.9", "203.0.113.9"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::9", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["unknown", "unknown"],
  ])("counts %s as %s", (address, bucket) => {
    expect(addressBucket(address)).toBe(bucket);
  });
});

describe("clientAddress under the real adapters", () => {
  const probe = new Hono().get("/ip", (c) => c.text(clientAddress(c)));

  describe("the local runtime (@hono/node-server, the app mounted under /api)", () => {
    let runtime: Runtime;
    beforeAll(async () => {
      runtime = await testRuntime();
    });
    afterAll(() => runtime.close());

    it("counts the socket's peer, not X-Forwarded-For", async () => {
      const res = await runtimeApi(runtime).call("POST", "/auth/login", {
        body: { email: "socket-probe@example.com", password: "guess" },
        headers: { "x-forwarded-for": "6.6.6.6" },
      });
      expect(res.status).toBe(401);
      const counted = async (address: string) =>
        (await runtime.deps.db.entities.rateLimits.query.byKey({ key: counterKey(`login:address:${address}`) }).go()).data;
      expect(await counted("127.0.0.1")).toMatchObject([{ count: 1 }]);
      expect(await counted("6.6.6.6")).toEqual([]);
    });
  });

  describe("hono/aws-lambda behind an HTTP API", () => {
    const event = (sourceIp: string) => ({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/ip",
      rawQueryString: "",
      headers: { host: "api.example.com", "x-forwarded-for": "6.6.6.6" },
      requestContext: {
        accountId: "123456789012", apiId: "api", domainName: "api.example.com", domainPrefix: "api",
        http: { method: "GET", path: "/ip", protocol: "HTTP/1.1", sourceIp, userAgent: "test" },
        requestId: "id", routeKey: "$default", stage: "$default", time: "25/Nov/2026:10:00:00 +0000", timeEpoch: 0,
      },
      isBase64Encoded: false,
    });

    it("is API Gateway's sourceIp, not X-Forwarded-For", async () => {
      const res = await handle(probe)(event("203.0.113.50") as never, {} as never);
      expect(res).toMatchObject({ statusCode: 200, body: "203.0.113.50" });
    });

    it("is unknown, not X-Forwarded-For, for an event without a sourceIp", async () => {
      const res = await handle(probe)(event("") as never, {} as never);
      expect(res).toMatchObject({ statusCode: 200, body: "unknown" });
    });
  });
});
