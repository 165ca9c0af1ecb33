/**
 * Request accounting: what each route asks of DynamoDB, counted by the client's middleware.
 * The expected counts are the design (docs/data-model.md); a route that starts issuing more
 * requests, or any Scan, fails here. The measured table is written to .test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { testApi } from "@agorusta/testing";

let t: Awaited<ReturnType<typeof testApi>>;
const measured: [string, Record<string, number>][] = [];

beforeAll(async () => {
  t = await testApi();
});

async function cost(label: string, run: () => Promise<{ status: number }>, expectedStatus: number) {
  const counts = t.deps.dynamo.counts;
  for (const k of Object.keys(counts)) delete counts[k];
  const res = await run();
  expect(res.status, label).toBe(expectedStatus);
  const snapshot = { ...counts };
  measured.push([label, snapshot]);
  return snapshot;
}

afterAll(() => {
  mkdirSync(".test-artifacts", { recursive: true });
  const ops = [...new Set(measured.flatMap(([, c]) => Object.keys(c)))].sort();
  const lines = [
    `| route | ${ops.join(" | ")} | total |`,
    `|---|${ops.map(() => "---:").join("|")}|---:|`,
    ...measured.map(([label, c]) => `| ${label} | ${ops.map((o) => c[o] ?? "").join(" | ")} | ${Object.values(c).reduce((a, b) => a + b, 0)} |`),
  ];
  writeFileSync(".test-artifacts/request-costs.md", lines.join("\n") + "\n");
});

describe("DynamoDB requests per route", () => {
  // Dozens of routes, a few argon2 hashes among them: slow on a loaded machine, hence its own timeout.
  it("match the design, and none is a Scan", { timeout: 120_000 }, async () => {
    const owner = await t.user();
    const joiner = await t.user();
    // Every authenticated route reads its session first (one GetItem): logout ends it in the table.
    let serverId = "", channelId = "", code = "", passwordId = "", name = `cost ${Date.now()}`;

    expect(await cost("GET /health", () => t.call("GET", "/health"), 200)).toEqual({ GetItem: 1 });
    expect(await cost("POST /auth/register", () => t.call("POST", "/auth/register", {
      body: { email: `cost${Date.now()}@example.com`, username: `cost${Date.now()}`, password: "hunter2hunter2" },
    }), 201)).toEqual({ BatchGetItem: 1, UpdateItem: 1, TransactWriteItems: 1 });
    expect(await cost("POST /auth/login", () => t.call("POST", "/auth/login", {
      body: { email: owner.email, password: "correct horse battery" },
    }), 200)).toEqual({ GetItem: 2, UpdateItem: 4, TransactWriteItems: 1 });
    expect(await cost("POST /auth/login (wrong password)", () => t.call("POST", "/auth/login", {
      body: { email: owner.email, password: "wrong password" },
    }), 401)).toEqual({ GetItem: 2, UpdateItem: 2 });
    expect(await cost("GET /auth/me", () => t.call("GET", "/auth/me", { token: owner.token }), 200)).toEqual({ GetItem: 2 });

    expect(await cost("POST /servers", async () => {
      const r = await t.call("POST", "/servers", { token: owner.token, body: { name } });
      serverId = r.body.id;
      return r;
    }, 201)).toEqual({ GetItem: 2, UpdateItem: 1, TransactWriteItems: 1 });
    expect(await cost("GET /servers", () => t.call("GET", "/servers", { token: owner.token }), 200)).toEqual({ GetItem: 1, Query: 1 });
    expect(await cost("GET /servers/:id", async () => {
      const r = await t.call("GET", `/servers/${serverId}`, { token: owner.token });
      channelId = r.body.channels[0].id;
      return r;
    }, 200)).toEqual({ GetItem: 2, Query: 1 });
    expect(await cost("POST /servers/:id/channels", () =>
      t.call("POST", `/servers/${serverId}/channels`, { token: owner.token, body: { name: "two" } }), 201)).toEqual({ GetItem: 2, TransactWriteItems: 1 });

    const messages = `/servers/${serverId}/channels/${channelId}/messages`;
    expect(await cost("POST …/messages", () => t.call("POST", messages, { token: owner.token, body: { content: "hi" } }), 201))
      .toEqual({ GetItem: 3, UpdateItem: 1, PutItem: 1 });
    expect(await cost("GET …/messages", () => t.call("GET", messages, { token: owner.token }), 200)).toEqual({ GetItem: 3, Query: 1 });

    expect(await cost("POST /servers/:id/invites", async () => {
      const r = await t.call("POST", `/servers/${serverId}/invites`, { token: owner.token, body: { maxUses: 5 } });
      code = r.body.code;
      return r;
    }, 201)).toEqual({ GetItem: 3, TransactWriteItems: 1 });
    expect(await cost("GET /servers/:id/invites", () => t.call("GET", `/servers/${serverId}/invites`, { token: owner.token }), 200))
      .toEqual({ GetItem: 2, Query: 1 });
    expect(await cost("GET /invites/:code", () => t.call("GET", `/invites/${code}`, { token: joiner.token }), 200)).toEqual({ GetItem: 2 });
    expect(await cost("POST /invites/:code/join", () => t.call("POST", `/invites/${code}/join`, { token: joiner.token }), 200))
      .toEqual({ GetItem: 5, TransactWriteItems: 1 });
    expect(await cost("POST /invites/:code/join (already a member)", () => t.call("POST", `/invites/${code}/join`, { token: joiner.token }), 200))
      .toEqual({ GetItem: 5 });
    expect(await cost("DELETE /servers/:id/invites/:code", () => t.call("DELETE", `/servers/${serverId}/invites/${code}`, { token: owner.token }), 204))
      .toEqual({ GetItem: 3, TransactWriteItems: 1 });

    expect(await cost("POST /servers/:id/passwords", async () => {
      const r = await t.call("POST", `/servers/${serverId}/passwords`, { token: owner.token, body: { password: "pw" } });
      passwordId = r.body.id;
      return r;
    }, 201)).toEqual({ GetItem: 2, Query: 1, TransactWriteItems: 1 });
    expect(await cost("GET /servers/:id/passwords", () => t.call("GET", `/servers/${serverId}/passwords`, { token: owner.token }), 200))
      .toEqual({ GetItem: 2, Query: 1 });
    const third = await t.user();
    const joinCost = await cost("POST /servers/join", () =>
      t.call("POST", "/servers/join", { token: third.token, body: { name, password: "pw" } }), 200);
    // Two brute-force counters bumped before the check; only the per-name one is handed back after a success.
    expect(joinCost).toEqual({ GetItem: 4, UpdateItem: 3, Query: 1, TransactWriteItems: 1 });
    expect(await cost("DELETE /servers/:id/passwords/:pid", () =>
      t.call("DELETE", `/servers/${serverId}/passwords/${passwordId}`, { token: owner.token }), 204)).toEqual({ GetItem: 3, TransactWriteItems: 1 });

    const mid = (await t.call("POST", messages, { token: joiner.token, body: { content: "to edit" } })).body.id;
    expect(await cost("PATCH …/messages/:mid", () => t.call("PATCH", `${messages}/${mid}`, { token: joiner.token, body: { content: "edited" } }), 200))
      .toEqual({ GetItem: 3, UpdateItem: 1 });
    expect(await cost("DELETE …/messages/:mid", () => t.call("DELETE", `${messages}/${mid}`, { token: owner.token }), 204))
      .toEqual({ GetItem: 3, DeleteItem: 1 });
    expect(await cost("GET /servers/:id/members", () => t.call("GET", `/servers/${serverId}/members`, { token: owner.token }), 200))
      .toEqual({ GetItem: 2, Query: 1, BatchGetItem: 1 });
    expect(await cost("GET /servers/:id/members?after=", () => t.call("GET", `/servers/${serverId}/members?after=${owner.id}`, { token: owner.token }), 200))
      .toEqual({ GetItem: 3, Query: 1, BatchGetItem: 1 });
    expect(await cost("DELETE /servers/:id/members/:userId (kick)", () => t.call("DELETE", `/servers/${serverId}/members/${third.id}`, { token: owner.token }), 204))
      .toEqual({ GetItem: 3, DeleteItem: 1, Query: 1 });
    expect(await cost("DELETE /servers/:id/members/me (leave)", () => t.call("DELETE", `/servers/${serverId}/members/me`, { token: joiner.token }), 204))
      .toEqual({ GetItem: 2, DeleteItem: 1, Query: 1 });
    expect(await cost("PUT /servers/:id/bans/:userId", () => t.call("PUT", `/servers/${serverId}/bans/${third.id}`, { token: owner.token, body: { reason: "spam" } }), 204))
      .toEqual({ GetItem: 3, PutItem: 1, DeleteItem: 1, Query: 1 });
    expect(await cost("GET /servers/:id/bans", () => t.call("GET", `/servers/${serverId}/bans`, { token: owner.token }), 200))
      .toEqual({ GetItem: 2, Query: 1 });
    expect(await cost("DELETE /servers/:id/bans/:userId", () => t.call("DELETE", `/servers/${serverId}/bans/${third.id}`, { token: owner.token }), 204))
      .toEqual({ GetItem: 3, DeleteItem: 1 });
    // A server with two channels, one message and its owner left: one BatchWrite for each non-empty kind.
    expect(await cost("DELETE /servers/:id", () => t.call("DELETE", `/servers/${serverId}`, { token: owner.token }), 204))
      .toEqual({ GetItem: 3, TransactWriteItems: 1, Query: 10, BatchWriteItem: 2, DeleteItem: 4 });

    const leaving = await t.user();
    expect(await cost("POST /auth/ws-ticket", () => t.call("POST", "/auth/ws-ticket", { token: leaving.token }), 200)).toEqual({ GetItem: 1, PutItem: 1 });
    const changed = await cost("POST /auth/password", async () => {
      const r = await t.call("POST", "/auth/password", { token: leaving.token, body: { currentPassword: "correct horse battery", newPassword: "another good one" } });
      leaving.token = r.body.token;
      return r;
    }, 200);
    // Session, the two counters (bumped, handed back), the user, the new hash; every session ended, one opened, sockets looked up.
    expect(changed).toEqual({ GetItem: 2, UpdateItem: 5, Query: 2, BatchWriteItem: 1, TransactWriteItems: 1 });
    expect(await cost("POST /auth/logout", () => t.call("POST", "/auth/logout", { token: leaving.token }), 204)).toEqual({ GetItem: 1, DeleteItem: 1, Query: 1 });
    expect(await cost("POST /auth/logout-all", () => t.call("POST", "/auth/logout-all", { token: owner.token }), 204))
      .toEqual({ GetItem: 1, Query: 2, BatchWriteItem: 1 });

    for (const [label, counts] of measured) expect(counts.Scan, label).toBeUndefined();
  });
});
