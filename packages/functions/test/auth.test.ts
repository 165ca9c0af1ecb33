import { beforeAll, describe, expect, it } from "vitest";
import { SignJWT, UnsecuredJWT } from "jose";
import { testApi, TEST_SECRET, type TestApi } from "@agorusta/testing";

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});

const register = (body: unknown) => t.call("POST", "/auth/register", { body });
const creds = (u: string) => ({ email: `${u}@Example.com`, username: u, password: "hunter2hunter2" });

describe("GET /health", () => {
  it("answers 200 {ok:true} without auth once the table answers", async () => {
    const res = await t.call("GET", "/health");
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
  });
});

describe("POST /auth/register", () => {
  it("creates an account and answers 201 {token, user: Me}", async () => {
    const res = await register(creds("Alice"));
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      email: "Alice@Example.com",
      username: "Alice",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      avatarUrl: null,
      bot: false,
    });
    expect(res.body.token.split(".")).toHaveLength(3);
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|passwordHash/);
  });

  it("refuses an email already used, in any case, with 409 email_taken", async () => {
    await register(creds("bob"));
    const res = await register({ email: "BOB@example.COM", username: "bobby", password: "hunter2hunter2" });
    expect(res).toMatchObject({ status: 409, body: { error: { code: "email_taken" } } });
  });

  it("refuses a username already used, in any case, with 409 username_taken", async () => {
    await register(creds("carol"));
    const res = await register({ email: "other-carol@example.com", username: "CAROL", password: "hunter2hunter2" });
    expect(res).toMatchObject({ status: 409, body: { error: { code: "username_taken" } } });
  });

  it("lets exactly one of ten concurrent registrations of one email win", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        register({ email: "race@example.com", username: `racer${i}`, password: "hunter2hunter2" }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === "email_taken")).toHaveLength(9);
  });

  it("lets exactly one of ten concurrent registrations of one username win", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        register({ email: `race${i}@example.com`, username: i % 2 ? "RaceName" : "racename", password: "hunter2hunter2" }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.body.error?.code === "username_taken")).toHaveLength(9);
  });

  it.each([
    ["missing fields", {}, ["email", "username", "password"]],
    ["a bad email", { email: "not-an-email", username: "dave", password: "hunter2hunter2" }, ["email"]],
    ["a short username", { email: "d@example.com", username: "d", password: "hunter2hunter2" }, ["username"]],
    ["a long username", { email: "d@example.com", username: "d".repeat(33), password: "hunter2hunter2" }, ["username"]],
    ["a username with spaces", { email: "d@example.com", username: "da ve", password: "hunter2hunter2" }, ["username"]],
    ["a unicode username", { email: "d@example.com", username: "dävé", password: "hunter2hunter2" }, ["username"]],
    ["a short password", { email: "d@example.com", username: "dave", password: "short" }, ["password"]],
    ["a long password", { email: "d@example.com", username: "dave", password: "x".repeat(257) }, ["password"]],
    ["wrong types", { email: 1, username: ["a"], password: { p: 1 } }, ["email", "username", "password"]],
  ])("answers 400 invalid_request with issues for %s", async (_, body, paths) => {
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([...paths].sort());
    for (const issue of res.body.error.issues) expect(issue.message).toEqual(expect.any(String));
  });

  it("answers 400 for a body that is not JSON, or JSON that is not an object", async () => {
    for (const raw of ["{bad", "", "null", "[]", '"str"']) {
      const res = await t.call("POST", "/auth/register", { raw });
      expect(res.status, raw).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });

  it("answers 413 payload_too_large for a body over 64 KiB", async () => {
    const res = await register({ ...creds("erin"), padding: "x".repeat(65 * 1024) });
    expect(res).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
  });

  it("accepts a body just under 64 KiB (unknown fields are ignored)", async () => {
    const res = await register({ ...creds("erin2"), padding: "x".repeat(60 * 1024) });
    expect(res.status).toBe(201);
  });
});

describe("POST /auth/login", () => {
  beforeAll(async () => {
    await register(creds("frank"));
  });

  it("answers 200 {token, user} for the right password, with the email in any case", async () => {
    const res = await t.call("POST", "/auth/login", { body: { email: "FRANK@example.com", password: "hunter2hunter2" } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: "frank", email: "frank@Example.com" });
    const me = await t.call("GET", "/auth/me", { token: res.body.token });
    expect(me.body.username).toBe("frank");
  });

  it("answers one 401 invalid_credentials for a wrong password and an unknown email", async () => {
    const wrong = await t.call("POST", "/auth/login", { body: { email: "frank@example.com", password: "wrong-password" } });
    const unknown = await t.call("POST", "/auth/login", { body: { email: "nobody@example.com", password: "hunter2hunter2" } });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: "invalid_credentials" } } });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it("answers 400 with issues when fields are missing", async () => {
    const res = await t.call("POST", "/auth/login", { body: { email: "" } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["email", "password"]);
  });
});

describe("GET /auth/me", () => {
  let token: string;
  let id: string;
  beforeAll(async () => {
    const res = await register(creds("grace"));
    token = res.body.token;
    id = res.body.user.id;
  });

  it("answers 200 Me for a valid token", async () => {
    const res = await t.call("GET", "/auth/me", { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, username: "grace", email: "grace@Example.com" });
    expect(Object.keys(res.body).sort()).toEqual(["avatarUrl", "bot", "createdAt", "email", "id", "username"]);
  });

  const key = new TextEncoder().encode(TEST_SECRET);
  const forged = {
    "no token": async () => undefined,
    "garbage": async () => "not.a.jwt",
    "alg none": async () => new UnsecuredJWT({}).setSubject(id).setIssuer("agorusta").setExpirationTime("1h").encode(),
    "a tampered payload": async () => {
      const [h, , s] = token.split(".");
      const payload = Buffer.from(JSON.stringify({ sub: "someone-else", iss: "agorusta", exp: 9999999999 })).toString("base64url");
      return `${h}.${payload}.${s}`;
    },
    "another secret": async () =>
      new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(id).setIssuer("agorusta").setExpirationTime("1h")
        .sign(new TextEncoder().encode("another-secret-another-secret-another-secret")),
    "an expired token": async () =>
      new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(id).setIssuer("agorusta")
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(key),
    "no exp": async () =>
      new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(id).setIssuer("agorusta").sign(key),
    "HS512": async () =>
      new SignJWT({}).setProtectedHeader({ alg: "HS512" }).setSubject(id).setIssuer("agorusta").setExpirationTime("1h").sign(key),
  };
  it.each(Object.entries(forged))("answers 401 unauthorized for %s", async (_, make) => {
    const forgedToken = await make();
    const res = await t.call("GET", "/auth/me", forgedToken ? { token: forgedToken } : {});
    expect(res).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
  });

  it("answers 401 for a scheme other than Bearer", async () => {
    const res = await t.call("GET", "/auth/me", { headers: { authorization: `Basic ${token}` } });
    expect(res.status).toBe(401);
  });
});

describe("the error contract", () => {
  it("answers an unknown route with JSON 404 not_found", async () => {
    const res = await t.call("GET", "/no/such/route");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
  });

  it("answers a wrong method on a known path with JSON 404", async () => {
    const res = await t.call("DELETE", "/auth/login");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
