import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type ApiResponse, type TestApi, type TestUser } from "@agorusta/testing";
import { insertUser } from "./directUsers.ts";

let t: TestApi;
let caller: TestUser;

/** Runs a request and returns it with the DynamoDB requests it made, by operation. */
async function measured(run: () => Promise<ApiResponse>) {
  const counts = t.deps.dynamo.counts;
  for (const k of Object.keys(counts)) delete counts[k];
  const res = await run();
  return { res, requests: { ...counts } };
}

const search = (q: string, token = caller.token) => t.call("GET", `/users/search?q=${encodeURIComponent(q)}`, { token });
const names = (res: { body: Array<{ username: string }> }) => res.body.map((u) => u.username);

beforeAll(async () => {
  t = await testApi();
  caller = await t.user("alcaller");
  for (const name of ["Alice", "alina", "ALBERT", "bob", "malice", "al.x"]) await t.user(name);
});

describe("GET /users/search", () => {
  it("finds users whose username starts with q, in any case, in username order, as public Users", async () => {
    const res = await search("AL");
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(["al.x", "ALBERT", "Alice", "alina"]);
    const alice = res.body.find((u: { username: string }) => u.username === "Alice");
    expect(Object.keys(alice).sort()).toEqual(["avatarUrl", "bot", "createdAt", "id", "username"]);
    expect(alice.id).toMatch(/^[0-9A-Z]{26}$/);
  });

  it("matches a prefix, not a substring", async () => {
    expect(names(await search("alic"))).toEqual(["Alice"]);
    expect(names(await search("lice"))).toEqual([]);
  });

  it("never lists the caller, even on an exact match", async () => {
    expect(names(await search("alcaller"))).toEqual([]);
    const bob = await t.call("POST", "/auth/login", { body: { email: "bob@example.com", password: "correct horse battery" } });
    expect(names(await search("alcaller", bob.body.token))).toEqual(["alcaller"]);
  });

  it("trims q, and folds it like usernames are folded (full-width letters find ASCII names)", async () => {
    expect(names(await search("  bo  "))).toEqual(["bob"]);
    expect(names(await search("ＢＯ"))).toEqual(["bob"]);
  });

  it("answers at most 20, and still 20 when the caller is among the first 21 matches", async () => {
    const zz = await Promise.all(Array.from({ length: 25 }, (_, i) => insertUser(t.deps, `zz${String(i).padStart(2, "0")}`)));
    const res = await search("zz", zz[0]!.token);
    expect(names(res)).toEqual(Array.from({ length: 20 }, (_, i) => `zz${String(i + 1).padStart(2, "0")}`));
    expect(names(await search("zz"))).toHaveLength(20);
  });

  it("answers [] for a prefix nobody has", async () => {
    expect(await search("qqq")).toMatchObject({ status: 200, body: [] });
  });

  it("costs one Query (never a Scan), and none for characters no username can hold", async () => {
    // Every search also reads the caller's session and counts against the search rate limit.
    const { res, requests } = await measured(() => search("al"));
    expect(res.status).toBe(200);
    expect(requests).toEqual({ GetItem: 1, UpdateItem: 1, Query: 1 });
    for (const q of ["日本", "a b", "ä", "🦀", "%", "a*"]) {
      const odd = await measured(() => search(q));
      expect(odd.res, q).toMatchObject({ status: 200, body: [] });
      expect(odd.requests, q).toEqual({ GetItem: 1, UpdateItem: 1 });
    }
  });

  it.each([
    ["no q", ""],
    ["an empty q", "?q="],
    ["a q of spaces", "?q=%20%20"],
    ["a q over 32 characters", `?q=${"a".repeat(33)}`],
    ["q given twice", "?q=al&q=bo"],
  ])("answers 400 invalid_request for %s", async (_, query) => {
    const res = await t.call("GET", `/users/search${query}`, { token: caller.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.issues[0].path).toBe("q");
  });

  it("accepts a q of exactly 32 characters", async () => {
    expect((await search("a".repeat(32))).status).toBe(200);
  });

  it("answers 401 without a valid token", async () => {
    expect((await t.call("GET", "/users/search?q=al")).status).toBe(401);
    expect((await t.call("GET", "/users/search?q=al", { token: "nope" })).body.error.code).toBe("unauthorized");
  });
});
