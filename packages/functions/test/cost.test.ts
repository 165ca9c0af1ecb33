/**
 * Request accounting: what each route asks of DynamoDB, counted by the client's middleware.
 * The expected counts are the design (docs/data-model.md); a route that starts issuing more
 * requests, or any Scan, fails here. The measured table is written to .test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { testApi, type TestApi } from "@agorusta/testing";
import { purgeServer } from "@agorusta/core/servers";

let t: TestApi;
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
    // Every authenticated route reads its session (logout ends it in the table) with its first request: inside its
    // first BatchGet when it has one, else beside it (one GetItem), never before it.
    let serverId = "", channelId = "", code = "", passwordId = "", name = `cost ${Date.now()}`;

    expect(await cost("GET /health", () => t.call("GET", "/health"), 200)).toEqual({ GetItem: 1 });
    expect(await cost("POST /auth/register", () => t.call("POST", "/auth/register", {
      body: { email: `cost${Date.now()}@example.com`, username: `cost${Date.now()}`, password: "hunter2hunter2" },
    }), 201)).toEqual({ BatchGetItem: 1, UpdateItem: 1, TransactWriteItems: 1 });
    expect(await cost("POST /auth/login", () => t.call("POST", "/auth/login", {
      body: { email: owner.email, password: "correct horse battery" },
    }), 200)).toEqual({ GetItem: 2, UpdateItem: 4, TransactWriteItems: 1, Query: 1 });
    expect(await cost("POST /auth/login (wrong password)", () => t.call("POST", "/auth/login", {
      body: { email: owner.email, password: "wrong password" },
    }), 401)).toEqual({ GetItem: 2, UpdateItem: 2 });
    expect(await cost("GET /auth/me", () => t.call("GET", "/auth/me", { token: owner.token }), 200)).toEqual({ GetItem: 2 });

    expect(await cost("POST /servers", async () => {
      const r = await t.call("POST", "/servers", { token: owner.token, body: { name } });
      serverId = r.body.id;
      return r;
    }, 201)).toEqual({ GetItem: 2, UpdateItem: 1, TransactWriteItems: 1 });
    expect(await cost("GET /servers", () => t.call("GET", "/servers", { token: owner.token }), 200)).toEqual({ Query: 1, BatchGetItem: 1, GetItem: 1 });
    expect(await cost("GET /servers/:id", async () => {
      const r = await t.call("GET", `/servers/${serverId}`, { token: owner.token });
      channelId = r.body.channels[0].id;
      return r;
    }, 200)).toEqual({ GetItem: 2, Query: 1 });
    expect(await cost("POST /servers/:id/channels", () =>
      // One BatchGet (session, membership, roles item: MANAGE_CHANNELS), the server's channels (its place, a category's
      // overwrites; issue 23), one transaction with its audit entry.
      t.call("POST", `/servers/${serverId}/channels`, { token: owner.token, body: { name: "two" } }), 201)).toEqual({ BatchGetItem: 1, Query: 1, TransactWriteItems: 1 });

    const messages = `/servers/${serverId}/channels/${channelId}/messages`;
    // The change feed's head first: the channel item, read strongly with the membership.
    let head = "";
    expect(await cost("GET …/changes (the head)", async () => {
      const r = await t.call("GET", `/servers/${serverId}/channels/${channelId}/changes`, { token: owner.token });
      head = r.body.cursor;
      return r;
    }, 200)).toEqual({ BatchGetItem: 1 });
    // The session ∥ one BatchGet (membership, channel (its head), the author's avatar) ∥ the rate limit's UpdateItem,
    // then one transaction: sequence, message, change-log item.
    // A page of history: one BatchGet of its authors' avatars.
    expect(await cost("POST …/messages", () => t.call("POST", messages, { token: owner.token, body: { content: "hi" } }), 201))
      .toEqual({ UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 1 });
    expect(await cost("GET …/messages", () => t.call("GET", messages, { token: owner.token }), 200)).toEqual({ Query: 1, BatchGetItem: 2 });
    // A first page with its head: the head's BatchGet, then the page's Query (strongly), then its authors' avatars —
    // what the page alone costs, the head's request saved.
    expect(await cost("GET …/changes?newest=50", () => t.call("GET", `/servers/${serverId}/channels/${channelId}/changes?newest=50`, { token: owner.token }), 200))
      .toEqual({ Query: 1, BatchGetItem: 2 });

    // Replies, reactions, attachments (docs/data-model.md).
    const original = (await t.call("GET", messages, { token: owner.token })).body[0].id;
    expect(await cost("POST …/messages (a reply)", () => t.call("POST", messages, { token: owner.token, body: { content: "re", replyTo: original } }), 201))
      .toEqual({ UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 1 });
    // A reaction: the rate limit's UpdateItem rides beside the first read (issue 21), no round trip of its own.
    const emoji = `${messages}/${original}/reactions/${encodeURIComponent("👍")}`;
    expect(await cost("PUT …/reactions/:emoji/me", () => t.call("PUT", `${emoji}/me`, { token: owner.token }), 204))
      .toEqual({ GetItem: 1, UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 1 });
    expect(await cost("PUT …/reactions/:emoji/me (again: no change)", () => t.call("PUT", `${emoji}/me`, { token: owner.token }), 204))
      .toEqual({ GetItem: 1, UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 1 });
    expect(await cost("GET …/reactions/:emoji", () => t.call("GET", emoji, { token: owner.token }), 200))
      .toEqual({ GetItem: 1, Query: 1, BatchGetItem: 2 });
    expect(await cost("GET …/messages (with reactions)", () => t.call("GET", messages, { token: owner.token }), 200))
      .toEqual({ Query: 2, BatchGetItem: 2 });
    expect(await cost("DELETE …/reactions/:emoji/me", () => t.call("DELETE", `${emoji}/me`, { token: owner.token }), 204))
      .toEqual({ GetItem: 1, UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 1 });
    let uploadId = "";
    expect(await cost("POST …/attachments", async () => {
      const r = await t.call("POST", `/servers/${serverId}/channels/${channelId}/attachments`, {
        token: owner.token, body: { filename: "a.txt", contentType: "text/plain", size: 1 },
      });
      uploadId = r.body.id;
      return r;
    }, 201)).toEqual({ PutItem: 1, BatchGetItem: 1 });
    await fetch((await t.deps.files.presignPut(`pending/${uploadId}`, { contentType: "text/plain", size: 1 }, 60)).url, {
      method: "PUT", headers: { "content-type": "text/plain" }, body: "x",
    });
    expect(await cost("POST …/messages (an attachment)", () => t.call("POST", messages, { token: owner.token, body: { attachments: [uploadId] } }), 201))
      .toEqual({ UpdateItem: 1, BatchGetItem: 2, TransactWriteItems: 1 });

    expect(await cost("POST /servers/:id/invites", async () => {
      const r = await t.call("POST", `/servers/${serverId}/invites`, { token: owner.token, body: { maxUses: 5 } });
      code = r.body.code;
      return r;
    }, 201)).toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });
    expect(await cost("GET /servers/:id/invites", () => t.call("GET", `/servers/${serverId}/invites`, { token: owner.token }), 200))
      .toEqual({ BatchGetItem: 1, Query: 1 });
    expect(await cost("GET /invites/:code", () => t.call("GET", `/invites/${code}`, { token: joiner.token }), 200)).toEqual({ GetItem: 3 });
    expect(await cost("POST /invites/:code/join", () => t.call("POST", `/invites/${code}/join`, { token: joiner.token }), 200))
      .toEqual({ GetItem: 5, TransactWriteItems: 1 });
    expect(await cost("POST /invites/:code/join (already a member)", () => t.call("POST", `/invites/${code}/join`, { token: joiner.token }), 200))
      .toEqual({ GetItem: 5 });
    expect(await cost("DELETE /servers/:id/invites/:code", () => t.call("DELETE", `/servers/${serverId}/invites/${code}`, { token: owner.token }), 204))
      .toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });

    expect(await cost("POST /servers/:id/passwords", async () => {
      const r = await t.call("POST", `/servers/${serverId}/passwords`, { token: owner.token, body: { password: "pw-at-least-8" } });
      passwordId = r.body.id;
      return r;
    }, 201)).toEqual({ BatchGetItem: 1, Query: 1, TransactWriteItems: 1 });
    expect(await cost("GET /servers/:id/passwords", () => t.call("GET", `/servers/${serverId}/passwords`, { token: owner.token }), 200))
      .toEqual({ BatchGetItem: 1, Query: 1 });
    const third = await t.user();
    const joinCost = await cost("POST /servers/join", () =>
      t.call("POST", "/servers/join", { token: third.token, body: { name, password: "pw-at-least-8" } }), 200);
    // Two brute-force counters bumped before the check; only the per-name one is handed back after a success.
    expect(joinCost).toEqual({ GetItem: 4, UpdateItem: 3, Query: 1, TransactWriteItems: 1 });
    expect(await cost("DELETE /servers/:id/passwords/:pid", () =>
      t.call("DELETE", `/servers/${serverId}/passwords/${passwordId}`, { token: owner.token }), 204)).toEqual({ BatchGetItem: 1, GetItem: 1, TransactWriteItems: 1 });

    // With a mention: one BatchGet of the username guards and one of the memberships, run alongside the authorization reads.
    expect(await cost("POST …/messages (with @mentions)", () =>
      t.call("POST", messages, { token: joiner.token, body: { content: `@${owner.username} hi`, nonce: "cost-1" } }), 201))
      .toEqual({ UpdateItem: 1, BatchGetItem: 3, TransactWriteItems: 1 });
    // A repeated nonce: the refused transaction, then the guard and the first message.
    expect(await cost("POST …/messages (repeated nonce)", () =>
      t.call("POST", messages, { token: joiner.token, body: { content: "hi", nonce: "cost-1" } }), 200))
      .toEqual({ GetItem: 2, UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 1 });
    const mid = (await t.call("POST", messages, { token: joiner.token, body: { content: "to edit" } })).body.id;
    // One BatchGet (session, membership, the head, the roles item: the caller's permissions there, issue 23) ∥ the
    // rate limit's UpdateItem; then the message (strongly, after the head); one transaction.
    expect(await cost("PATCH …/messages/:mid", () => t.call("PATCH", `${messages}/${mid}`, { token: joiner.token, body: { content: "edited" } }), 200))
      .toEqual({ GetItem: 1, UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 2 });
    expect(await cost("GET …/changes?since=", () =>
      t.call("GET", `/servers/${serverId}/channels/${channelId}/changes?since=${head}`, { token: owner.token }), 200))
      .toEqual({ Query: 1, BatchGetItem: 3 });
    expect(await cost("PUT …/channels/:cid/read", () =>
      t.call("PUT", `/servers/${serverId}/channels/${channelId}/read`, { token: owner.token, body: { messageId: mid } }), 200))
      .toEqual({ BatchGetItem: 1, PutItem: 1, Query: 2 });
    // The newest message: the one before it is found (one Query) and becomes lastMessageId in the same transaction.
    expect(await cost("DELETE …/messages/:mid (the newest)", () => t.call("DELETE", `${messages}/${mid}`, { token: owner.token }), 204))
      .toEqual({ GetItem: 1, BatchGetItem: 1, Query: 1, TransactWriteItems: 1 });
    // Memberships ∥ read positions ∥ DM inbox; the one server's channels; then mention counts
    // (own ∥ @everyone) for the one unread channel only: "two" has no messages. No DMs, so no BatchGet.
    expect(await cost("GET /read-states", () => t.call("GET", "/read-states", { token: joiner.token }), 200))
      .toEqual({ GetItem: 1, Query: 6 });
    expect(await cost("GET /servers/:id/members", () => t.call("GET", `/servers/${serverId}/members`, { token: owner.token }), 200))
      .toEqual({ BatchGetItem: 2, Query: 1 });
    expect(await cost("GET /servers/:id/members?after=", () => t.call("GET", `/servers/${serverId}/members?after=${owner.id}`, { token: owner.token }), 200))
      .toEqual({ BatchGetItem: 2, Query: 1 });
    expect(await cost("DELETE /servers/:id/members/:userId (kick)", () => t.call("DELETE", `/servers/${serverId}/members/${third.id}`, { token: owner.token }), 204))
      .toEqual({ BatchGetItem: 1, GetItem: 1, TransactWriteItems: 1 });
    expect(await cost("DELETE /servers/:id/members/me (leave)", () => t.call("DELETE", `/servers/${serverId}/members/me`, { token: joiner.token }), 204))
      .toEqual({ GetItem: 2, DeleteItem: 1 });
    // The request retires the server (one transaction) and hands the purge over; the purge's own
    // cost is measured below, as the background worker pays it.
    const enqueued: string[] = [];
    const purges = t.deps.purges;
    t.deps.purges = { enqueue: async (id) => void enqueued.push(id) };
    expect(await cost("DELETE /servers/:id", () => t.call("DELETE", `/servers/${serverId}`, { token: owner.token }), 204))
      .toEqual({ GetItem: 3, TransactWriteItems: 1 });
    t.deps.purges = purges;
    expect(enqueued).toEqual([serverId]);
    // Two channels, two messages (one mentioning) and its owner left: one BatchWrite for each
    // non-empty kind (memberships, mention items, messages, change log); per channel a Query of its
    // change log, and one of the whole-server subscriptions; one Query each for its bans and its
    // live-invite and password slots, and one of its webhooks; the audience item of each channel
    // and of the server (three DeleteItems, realtime/audiences.ts).
    expect(await cost("purge (background, per server)", async () => ({ status: (await purgeServer(t.deps, serverId)).done ? 200 : 0 }), 200))
      .toEqual({ Query: 15, BatchWriteItem: 5, DeleteItem: 9 });

    // Direct messages: the conversation item is the head, read strongly for the participant check.
    const dmId = (await t.call("POST", "/dms", { token: owner.token, body: { userId: joiner.id } })).body.id;
    const dm = `/dms/${dmId}`;
    const dmHead = (await t.call("GET", `${dm}/changes`, { token: joiner.token })).body.cursor;
    const dmFirst = (await t.call("POST", `${dm}/messages`, { token: owner.token, body: { content: "one" } })).body.id;
    const dmSecond = (await t.call("POST", `${dm}/messages`, { token: owner.token, body: { content: "two" } })).body.id;
    expect(await cost("PATCH /dms/:id/messages/:mid", () =>
      t.call("PATCH", `${dm}/messages/${dmFirst}`, { token: owner.token, body: { content: "uno" } }), 200)).toEqual({ GetItem: 3, UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 1 });
    expect(await cost("DELETE /dms/:id/messages/:mid (the newest)", () =>
      t.call("DELETE", `${dm}/messages/${dmSecond}`, { token: owner.token }), 204)).toEqual({ GetItem: 3, Query: 1, TransactWriteItems: 1 });
    expect(await cost("GET /dms/:id/changes?since=", () =>
      t.call("GET", `${dm}/changes?since=${dmHead}`, { token: joiner.token }), 200)).toEqual({ GetItem: 2, Query: 1, BatchGetItem: 2 });
    // No @everyone in a DM: one count Query.
    expect(await cost("PUT /dms/:id/read", () =>
      t.call("PUT", `${dm}/read`, { token: joiner.token, body: { messageId: dmFirst } }), 200)).toEqual({ GetItem: 2, PutItem: 1, Query: 1 });
    // No server any more; one DM, read: memberships ∥ positions ∥ inbox, then the DM's head by BatchGet.
    expect(await cost("GET /read-states (one DM)", () => t.call("GET", "/read-states", { token: joiner.token }), 200))
      .toEqual({ GetItem: 1, Query: 3, BatchGetItem: 1 });

    for (const [label, counts] of measured) expect(counts.Scan, label).toBeUndefined();
  });

  // Role mentions resolve against the roles item the send's BatchGet already reads (issue 23): no request of their own.
  it("a send that mentions roles costs what a plain send costs", { timeout: 120_000 }, async () => {
    const s = await t.server();
    const member = await t.member(s);
    const role = (await t.call("POST", `/servers/${s.id}/roles`, { token: s.owner.token, body: { name: "On Call", mentionable: true } })).body;
    await t.call("PUT", `/servers/${s.id}/members/${member.id}/roles/${role.id}`, { token: s.owner.token });
    const messages = `/servers/${s.id}/channels/${s.channelId}/messages`;
    const send = (content: string) => () => t.call("POST", messages, { token: member.token, body: { content } });
    // The first send after the roles changed may settle what was kept of the channel's audience.
    await send("warm up")();
    expect(await cost("POST …/messages (with roles)", send("hi"), 201)).toEqual({ UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 1 });
    // Any `@word` is looked up as a username beside the check (one BatchGet of the name guards, as before roles): a
    // role mention costs that and nothing more.
    const named = await cost("POST …/messages (@word, no such user or role)", send("hi @nobody here"), 201);
    expect(named).toEqual({ UpdateItem: 1, TransactWriteItems: 1, BatchGetItem: 2 });
    expect(await cost("POST …/messages (@role)", send("hi @on call"), 201)).toEqual(named);
  });
});
