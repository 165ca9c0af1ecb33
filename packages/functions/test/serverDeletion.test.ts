import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { createPurgeWorker, type PurgeWorker } from "@agorusta/local/purgeWorker";
import { addMember, pendingPurges } from "@agorusta/core/servers";
import { AppError } from "@agorusta/core";
import { newId } from "@agorusta/core/store";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  // Posts 30 messages in a row to one channel: past the message rate limit.
  t = await testApi({ publisher, usageLimits: "off" });
});

describe("DELETE /servers/:id", () => {
  it("removes the server and everything in it (204), frees its name, and announces server_deleted first", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const c2 = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "second" } });
    for (const cid of [s.channelId, c2.body.id]) {
      for (let i = 0; i < 30; i++) await t.call("POST", `/servers/${s.id}/channels/${cid}/messages`, { token: m.token, body: { content: `m${i}` } });
    }
    const code = (await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} })).body.code;
    await t.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password: "pw-at-least-8" } });
    await t.deps.db.entities.subscriptions.create({ channelId: s.channelId, connectionId: "c-x", serverId: s.id, userId: m.id }).go();
    publisher.clear();
    // What the announcement reaches is decided while the subscriptions still exist.
    let subscriptionsAtAnnouncement = -1;
    publisher.toServer = async (serverId, event, options) => {
      subscriptionsAtAnnouncement = (await t.deps.db.entities.subscriptions.query.byServer({ serverId: String(serverId) }).go()).data.length;
      publisher.sent.push({ to: "server", serverId, event, ...options });
    };

    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    expect(publisher.sent).toEqual([{ to: "server", serverId: s.id, event: { type: "server_deleted", serverId: s.id }, alsoUserIds: [s.owner.id] }]);
    expect(subscriptionsAtAnnouncement).toBe(1);
    await (t.deps.purges as PurgeWorker).idle();

    for (const u of [s.owner, m]) {
      expect((await t.call("GET", `/servers/${s.id}`, { token: u.token })).status).toBe(404);
      expect((await t.call("GET", "/servers", { token: u.token })).body).toEqual([]);
    }
    expect((await t.call("GET", `/invites/${code}`, { token: m.token })).status).toBe(404);
    // Nothing is left behind in the table under the server's channels.
    const e = t.deps.db.entities;
    for (const cid of [s.channelId, c2.body.id]) {
      expect((await e.messages.query.byChannel({ channelId: cid }).go()).data).toEqual([]);
      expect((await e.subscriptions.query.byChannel({ channelId: cid }).go()).data).toEqual([]);
    }
    expect((await e.serverPasswords.query.byServer({ serverId: s.id }).go()).data).toEqual([]);
    expect((await e.members.query.byServer({ serverId: s.id }).go()).data).toEqual([]);
    expect((await t.deps.db.collections.serverDetail({ serverId: s.id }).go()).data).toEqual({ servers: [], serverRoles: [], channels: [] });
    // The name is free again, and so is `general` inside the new server.
    const again = await t.call("POST", "/servers", { token: m.token, body: { name: s.name } });
    expect(again.status).toBe(201);
  }, 120_000);

  it("answers 403 to a member and 404 to a non-member, and deletes nothing", async () => {
    const s = await t.server();
    const m = await t.member(s);
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: m.token })).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: (await t.user()).token })).status).toBe(404);
    expect((await t.call("GET", `/servers/${s.id}`, { token: m.token })).status).toBe(200);
  });

  it("answers 404 the second time", async () => {
    const s = await t.server();
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(404);
  });
});

/** A gate a purge worker waits at before each slice, opened by the test. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/** Puts `n` messages of ~`size` characters into a channel directly (BatchWrite), as many members would have over time. */
async function fill(channelId: string, serverId: string, authorId: string, n: number, size = 100) {
  const items = Array.from({ length: n }, (_, i) => ({
    channelId, serverId, messageId: newId(), authorId, authorUsername: "someone", authorCreatedAt: new Date().toISOString(),
    content: `${i} ${"x".repeat(size)}`, createdAt: new Date().toISOString(),
  }));
  const { unprocessed } = await t.deps.db.entities.messages.put(items).go({ concurrency: 4 });
  expect(unprocessed).toEqual([]);
}
const messagesIn = async (channelId: string) =>
  (await t.deps.db.entities.messages.query.byChannel({ channelId }).go({ pages: "all", attributes: ["messageId"] })).data.length;

describe("the purge runs in the background, resumably", () => {
  it("DELETE answers once the server is retired and its name free, before the purge; the purge then removes it all", async () => {
    const s = await t.server();
    await fill(s.channelId, s.id, s.owner.id, 1500);
    const held = gate();
    t.deps.purges = createPurgeWorker(t.deps, { beforeSlice: () => held.opened });
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    // Answered while the purge waits: the server is gone and its name free, its history still in the table.
    expect((await t.call("GET", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(404);
    expect((await t.call("POST", "/servers", { token: s.owner.token, body: { name: s.name } })).status).toBe(201);
    expect(await messagesIn(s.channelId)).toBe(1500);
    expect(await pendingPurges(t.deps.db)).toContain(s.id);
    held.open();
    await (t.deps.purges as PurgeWorker).idle();
    expect(await messagesIn(s.channelId)).toBe(0);
    expect(await pendingPurges(t.deps.db)).not.toContain(s.id);
  }, 60_000);

  it("a purge cut short midway (the process stopped) is found and finished by the next worker", async () => {
    const s = await t.server();
    await fill(s.channelId, s.id, s.owner.id, 1000);
    let slices = 0;
    const crash = gate();
    const first = createPurgeWorker(t.deps, {
      slice: 300,
      // The third slice never starts: as if the process had died after two.
      beforeSlice: () => (++slices > 2 ? crash.opened : undefined),
    });
    t.deps.purges = first;
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    await expect.poll(() => slices, { timeout: 30_000 }).toBe(3);
    const left = await messagesIn(s.channelId);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(1000);
    expect(await pendingPurges(t.deps.db)).toContain(s.id);

    const next = createPurgeWorker(t.deps, { slice: 300 });
    await next.resume();
    await next.idle();
    expect(await messagesIn(s.channelId)).toBe(0);
    expect((await t.deps.db.entities.members.query.byServer({ serverId: s.id }).go()).data).toEqual([]);
    expect(await pendingPurges(t.deps.db)).not.toContain(s.id);
    crash.open();
    await first.close();
  }, 60_000);

  it("retries a slice that fails, with backoff, until it succeeds", async () => {
    const s = await t.server();
    await fill(s.channelId, s.id, s.owner.id, 50);
    let attempts = 0;
    const worker = createPurgeWorker(t.deps, {
      retryDelaysMs: [5, 5, 5],
      beforeSlice: () => {
        if (++attempts <= 2) throw new Error("DynamoDB is having a moment");
      },
    });
    t.deps.purges = worker;
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    await worker.idle();
    expect(attempts).toBe(3);
    expect(await messagesIn(s.channelId)).toBe(0);
    expect(await pendingPurges(t.deps.db)).not.toContain(s.id);
  });
});

describe("writes racing a server's deletion leave no orphans", () => {
  it("a message, a join, an invite or a join password after the retirement is refused (404), though the purge has not reached the memberships yet", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const code = (await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} })).body.code;
    const held = gate();
    const worker = createPurgeWorker(t.deps, { beforeSlice: () => held.opened });
    t.deps.purges = worker;
    const server = (await t.deps.db.entities.servers.get({ serverId: s.id }).go()).data!;
    const joiner = await t.user();
    const joinerItem = (await t.deps.db.entities.users.get({ userId: joiner.id }).go()).data!;
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    // The member's membership is still in the table (the purge is held back), yet nothing can hang from the server any more.
    expect((await t.deps.db.entities.members.get({ serverId: s.id, userId: m.id }).go()).data).not.toBeNull();
    const post = await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: m.token, body: { content: "too late" } });
    expect(post).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect((await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "late" } })).status).toBe(404);
    // The owner still reads as the owner (their membership awaits the purge), yet no invite or join password can be made.
    expect((await t.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password: "too late now" } })).status).toBe(404);
    expect((await t.call("POST", `/servers/${s.id}/invites`, { token: m.token, body: {} })).status).toBe(404);
    expect((await t.call("POST", `/invites/${code}/join`, { token: joiner.token })).status).toBe(404);
    // A join whose reads came before the retirement (the server item in hand) commits nothing after it.
    const gone = new AppError("invalid_server_credentials");
    await expect(addMember(t.deps.db, server, joinerItem, gone)).rejects.toBe(gone);
    held.open();
    await worker.idle();
    expect(await messagesIn(s.channelId)).toBe(0);
    expect((await t.deps.db.entities.members.query.byServer({ serverId: s.id }).go()).data).toEqual([]);
  });

  it("under concurrency: messages and joins racing the DELETE are each stored before it (and purged) or refused", async () => {
    for (let round = 0; round < 2; round++) {
      const s = await t.server();
      const members = await Promise.all(Array.from({ length: 5 }, () => t.member(s)));
      const code = (await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} })).body.code;
      const joiners = await Promise.all(Array.from({ length: 5 }, () => t.user()));
      const worker = createPurgeWorker(t.deps);
      t.deps.purges = worker;
      const path = `/servers/${s.id}/channels/${s.channelId}/messages`;
      const results = await Promise.all([
        ...members.flatMap((m) => [0, 1, 2].map((i) => t.call("POST", path, { token: m.token, body: { content: `race ${i}` } }))),
        ...joiners.map((j) => t.call("POST", `/invites/${code}/join`, { token: j.token })),
        t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token }),
      ]);
      for (const r of results) expect([200, 201, 204, 404]).toContain(r.status);
      await worker.idle();
      expect(await messagesIn(s.channelId)).toBe(0);
      expect((await t.deps.db.entities.members.query.byServer({ serverId: s.id }).go()).data).toEqual([]);
      expect(await pendingPurges(t.deps.db)).not.toContain(s.id);
    }
  }, 180_000);
});
