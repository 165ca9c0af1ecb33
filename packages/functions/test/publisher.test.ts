/**
 * The API Gateway publisher against a stand-in `@connections` endpoint that can be slow, gone or
 * failing per connection: who receives what, pruning on 410, bounded parallelism and time.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Publisher, ServerEvent } from "@agorusta/core";
import { closeConnection, createAudienceCache, openConnection, subscribeServer, unsubscribe } from "@agorusta/core/realtime";
import { subscribe } from "@agorusta/core/servers";
import { removeMember } from "@agorusta/core/servers";
import { sequentialRoundTrips } from "@agorusta/core";
import { createApiGatewayPublisher, type ApiGatewayPublisherOptions } from "../src/delivery/publisher.ts";
import { testApi, type TestApi } from "@agorusta/testing";
import { fakeConnectionsApi } from "@agorusta/testing/connectionsApi";
import { freePort } from "@agorusta/local/dynamoLocal";

let t: TestApi;
const api = fakeConnectionsApi();
let endpoint: string;
beforeAll(async () => {
  t = await testApi({}, { lambda: "ws" }); // it plays the WebSocket Lambda too (subscriptions)
  endpoint = await api.listen();
});
afterAll(() => api.close());

const publisher = (options: Partial<ApiGatewayPublisherOptions> = {}): Publisher =>
  createApiGatewayPublisher(t.deps.db, {
    endpoint,
    region: "local",
    credentials: { accessKeyId: "k", secretAccessKey: "s" },
    ...options,
  });
let n = 0;
/**
 * Opens a connection for the user (as `$connect` would) and subscribes it to the channels; by
 * default a minute ago, past its handshake, so that a 410 means it is gone.
 */
async function connection(userId: string, channelIds: string[] = [], connectedAt = new Date(Date.now() - 60_000)) {
  const connectionId = `c${n++}+/=`;
  await openConnection(t.deps.db, { connectionId, userId, connectedAt, sessionId: "s", sessionExpiresAt: Date.now() / 1000 + 3600 });
  for (const channelId of channelIds) await subscribe(t.deps.db, { connectionId, channelId });
  return connectionId;
}
const event = (content: string): ServerEvent => ({ type: "channel_created", channel: { id: content, serverId: "s", name: content, createdAt: "", lastMessageId: null, type: "text", parentId: null, position: 0, topic: null, slowmodeSeconds: 0, overwrites: [] } });
/** A server's first channel as an audience. */
const ch = (s: { id: string; channelId: string }) => ({ serverId: s.id, channelId: s.channelId });
const receivers = () => api.posts.map((p) => p.connectionId).sort();

describe("who receives an event", () => {
  it("toChannel posts the event once to each subscribed connection, skipping exceptUserId's", async () => {
    api.reset();
    const s = await t.server();
    const bob = await t.member(s);
    const other = await t.server(s.owner);
    const a = await connection(s.owner.id, [s.channelId]);
    const b = await connection(bob.id, [s.channelId]);
    const both = await connection(s.owner.id, [s.channelId, other.channelId]);
    await connection(s.owner.id, [other.channelId]);
    await connection(bob.id);

    await publisher().toChannel(ch(s), event("hello"));
    expect(receivers()).toEqual([a, b, both].sort());
    expect(api.posts.map((p) => JSON.parse(p.body))).toEqual([event("hello"), event("hello"), event("hello")]);

    api.reset();
    await publisher().toChannel(ch(s), event("typing"), { exceptUserId: s.owner.id });
    expect(receivers()).toEqual([b]);
  });

  it("toUsers posts to every connection of each user, subscribed or not, once", async () => {
    api.reset();
    const [u1, u2, u3] = await Promise.all([t.user(), t.user(), t.user()]);
    const c1 = await connection(u1.id);
    const c2 = await connection(u1.id);
    const c3 = await connection(u2.id);
    await connection(u3.id);
    await publisher().toUsers([u1.id, u2.id, u1.id], event("dm"));
    expect(receivers()).toEqual([c1, c2, c3].sort());
  });

  // Presence's bound (realtimeLimits.presenceRecipients): each server's share is read, no more.
  it("toServer with maxRecipients posts to at most that many subscribed connections, shared among the servers", async () => {
    api.reset();
    const s1 = await t.server();
    const s2 = await t.server(s1.owner);
    const inS1 = await Promise.all([1, 2, 3, 4, 5].map(() => connection(s1.owner.id, [s1.channelId])));
    const inS2 = await Promise.all([1, 2, 3].map(() => connection(s1.owner.id, [s2.channelId])));
    await publisher().toServer(s1.id, event("one"), { maxRecipients: 3 });
    expect(api.posts).toHaveLength(3);
    expect(receivers().every((c) => inS1.includes(c))).toBe(true);
    api.reset();
    await publisher().toServer([s1.id, s2.id], event("both"), { maxRecipients: 4 });
    expect(api.posts).toHaveLength(4);
    expect(receivers().filter((c) => inS1.includes(c))).toHaveLength(2);
    expect(receivers().filter((c) => inS2.includes(c))).toHaveLength(2);
    api.reset();
    await publisher().toServer([s1.id, s2.id], event("all"));
    expect(api.posts).toHaveLength(8);
  });

  it("toServer posts once to each connection subscribed to any of its channels, plus alsoUserIds'", async () => {
    api.reset();
    const s = await t.server();
    const second = await t.server(s.owner); // another server: its subscribers hear nothing
    const newcomer = await t.user();
    const ch2 = (await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "two" } })).body.id as string;
    const inBoth = await connection(s.owner.id, [s.channelId, ch2]);
    const inOne = await connection(s.owner.id, [ch2]);
    await connection(s.owner.id, [second.channelId]);
    const newcomers = await connection(newcomer.id);
    await publisher().toServer(s.id, event("joined"), { alsoUserIds: [newcomer.id] });
    expect(receivers()).toEqual([inBoth, inOne, newcomers].sort());
  });

  it("toConnection posts to that connection only", async () => {
    api.reset();
    await publisher().toConnection("only+one=", { type: "pong" });
    expect(api.posts).toEqual([{ connectionId: "only+one=", body: '{"type":"pong"}' }]);
  });
});

// A publisher keeps each channel's subscriber list and queries it again only when its audience
// token says it changed (core/realtime/audiences.ts): every way a list changes must be seen.
describe("a channel's kept subscriber list", () => {
  const clearCounts = () => {
    for (const k of Object.keys(t.deps.dynamo.counts)) delete t.deps.dynamo.counts[k];
  };

  it("is queried once, then only its token is read, until a subscribe, an unsubscribe, a kick or a disconnect changes it", async () => {
    const s = await t.server();
    const bob = await t.member(s);
    const carol = await t.member(s);
    const p = publisher(); // one publisher throughout, as one warm Lambda
    const a = await connection(s.owner.id, [s.channelId]);
    await p.toChannel(ch(s), event("1"));
    api.reset();
    clearCounts();
    await p.toChannel(ch(s), event("2"));
    expect(receivers()).toEqual([a]);
    // The token, with the roles item and the channel (whose versions the filtered list is kept for, issue 23)
    // in one BatchGetItem; no Query.
    expect({ ...t.deps.dynamo.counts }).toEqual({ BatchGetItem: 1 });

    const b = await connection(bob.id, [s.channelId]);
    const c = await connection(carol.id, [s.channelId]);
    api.reset();
    await p.toChannel(ch(s), event("subscribed"));
    expect(receivers()).toEqual([a, b, c].sort());

    await unsubscribe(t.deps.db, { connectionId: a, channelId: s.channelId });
    api.reset();
    await p.toChannel(ch(s), event("unsubscribed"));
    expect(receivers()).toEqual([b, c].sort());

    await removeMember(t.deps.db, s.id, bob.id); // a kick, or a leave
    api.reset();
    await p.toChannel(ch(s), event("kicked"));
    expect(receivers()).toEqual([c]);

    await closeConnection(t.deps.db, c); // `$disconnect`
    api.reset();
    clearCounts();
    await p.toChannel(ch(s), event("disconnected"));
    expect(receivers()).toEqual([]);
    expect(t.deps.dynamo.counts.Query).toBe(1);
  });

  it("queries a kept list again once it is older than maxAgeMs, whatever its token says, and keeps at most maxEntries", async () => {
    const s = await t.server();
    const other = await t.server(s.owner);
    const a = await connection(s.owner.id, [s.channelId, other.channelId]);
    const queries = async (cache: ReturnType<typeof createAudienceCache>, channelId: string) => {
      clearCounts();
      expect((await cache.recipientsOf(channelId)).map((r) => r.connectionId)).toEqual([a]);
      return t.deps.dynamo.counts.Query ?? 0;
    };
    const aged = createAudienceCache(t.deps.db, { maxAgeMs: 0 });
    expect(await queries(aged, s.channelId)).toBe(1);
    expect(await queries(aged, s.channelId)).toBe(1);
    const small = createAudienceCache(t.deps.db, { maxEntries: 1 });
    expect(await queries(small, s.channelId)).toBe(1);
    expect(await queries(small, s.channelId)).toBe(0);
    expect(await queries(small, other.channelId)).toBe(1); // the first one goes
    expect(await queries(small, s.channelId)).toBe(1);
  });

  it("drops a connection that answered 410 even when its subscription was swept without a new token", async () => {
    const s = await t.server();
    const p = publisher();
    const live = await connection(s.owner.id, [s.channelId]);
    const swept = await connection(s.owner.id, [s.channelId]);
    await p.toChannel(ch(s), event("warm"));
    // DynamoDB's TTL sweeper deletes items without anyone writing a token.
    await t.deps.db.entities.subscriptions.delete({ channelId: s.channelId, connectionId: swept }).go();
    await t.deps.db.entities.connections.delete({ connectionId: swept }).go();
    api.reset();
    api.behaviour.set(swept, "gone");
    await p.toChannel(ch(s), event("once"));
    expect(receivers()).toEqual([live, swept].sort());
    api.reset();
    await p.toChannel(ch(s), event("twice"));
    expect(receivers()).toEqual([live]);
  });

  it("rides a send's lookups in its authorization BatchGetItem: a POST is one BatchGetItem and one transaction, in two round trips", async () => {
    const s = await t.server();
    const bob = await t.member(s);
    const listener = await connection(bob.id, [s.channelId]);
    const wholeServer = await connection(bob.id);
    await subscribeServer(t.deps.db, { connectionId: wholeServer, serverId: s.id });
    const before = t.deps.publisher;
    t.deps.publisher = publisher();
    try {
      const post = (content: string) => t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: s.owner.token, body: { content } });
      expect((await post("warm")).status).toBe(201);
      api.reset();
      clearCounts();
      t.deps.dynamo.spans = [];
      expect((await post("kept")).status).toBe(201);
      const spans = t.deps.dynamo.spans;
      t.deps.dynamo.spans = undefined;
      // The UpdateItem is the sender's rate limit (usage limits are on here), counted beside the reads.
      expect({ ...t.deps.dynamo.counts }).toEqual({ BatchGetItem: 1, UpdateItem: 1, TransactWriteItems: 1 });
      expect(sequentialRoundTrips(spans.filter((x) => x.op !== "UpdateItem"))).toBe(2);
      const frames = api.posts.map((x) => ({ to: x.connectionId, type: JSON.parse(x.body).type }));
      expect(frames.sort((x, y) => x.to.localeCompare(y.to))).toEqual(
        [{ to: listener, type: "new_message" }, { to: wholeServer, type: "channel_activity" }].sort((x, y) => x.to.localeCompare(y.to)),
      );
    } finally {
      t.deps.publisher = before;
    }
  });
});

// Issue 23, "Nothing leaks": a private channel's audience is filtered by VIEW_CHANNEL, and a send
// that finds nothing changed still costs one BatchGetItem and one transaction.
describe("a private channel's audience", () => {
  const clearCounts = () => {
    for (const k of Object.keys(t.deps.dynamo.counts)) delete t.deps.dynamo.counts[k];
  };

  it("reaches only members who can see it (its subscribers and the server's), costs a send no request when nothing changed, and drops who loses it", { timeout: 120_000 }, async () => {
    const s = await t.server();
    const [seer, blind] = [await t.member(s), await t.member(s)];
    const overwrite = (targetId: string, body: object) =>
      t.call("PUT", `/servers/${s.id}/channels/${s.channelId}/overwrites/${targetId}`, { token: s.owner.token, body });
    const VIEW = (1n << 10n).toString();
    // Both listen before the channel turns private.
    const seerSocket = await connection(seer.id, [s.channelId]);
    const blindSocket = await connection(blind.id, [s.channelId]);
    const [seerServer, blindServer] = [await connection(seer.id), await connection(blind.id)];
    await subscribeServer(t.deps.db, { connectionId: seerServer, serverId: s.id });
    await subscribeServer(t.deps.db, { connectionId: blindServer, serverId: s.id });
    const before = t.deps.publisher;
    t.deps.publisher = publisher();
    try {
      const frames = () => api.posts.map((x) => `${x.connectionId} ${JSON.parse(x.body).type}`).sort();
      const post = (content: string) => t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: s.owner.token, body: { content } });
      expect((await overwrite(seer.id, { type: "member", allow: VIEW, deny: "0" })).status).toBe(204);
      api.reset();
      expect((await overwrite(s.id, { type: "role", allow: "0", deny: VIEW })).status).toBe(204);
      // `channel_updated` to who still sees it; `channel_deleted` to each socket of the one who no longer does.
      expect(frames()).toEqual([`${blindServer} channel_deleted`, `${blindSocket} channel_deleted`, `${seerServer} channel_updated`, `${seerSocket} channel_updated`].sort());

      expect((await post("warm")).status).toBe(201);
      api.reset();
      clearCounts();
      expect((await post("kept")).status).toBe(201);
      // As for any channel: the roles item and the channel are the send's own reads, the token joins them.
      expect({ ...t.deps.dynamo.counts }).toEqual({ BatchGetItem: 1, UpdateItem: 1, TransactWriteItems: 1 });
      expect(frames()).toEqual([`${seerSocket} new_message`, `${seerServer} channel_activity`].sort());

      // The seer loses it too (their overwrite goes): told, and nothing more of it reaches them.
      api.reset();
      expect((await t.call("DELETE", `/servers/${s.id}/channels/${s.channelId}/overwrites/${seer.id}`, { token: s.owner.token })).status).toBe(204);
      expect(frames()).toEqual([`${seerServer} channel_deleted`, `${seerSocket} channel_deleted`].sort());
      api.reset();
      expect((await post("now private to the owner")).status).toBe(201);
      expect(frames()).toEqual([]);
      // Their subscriptions to it are gone: nobody is subscribed to the channel any more.
      expect((await t.deps.db.entities.subscriptions.query.byChannel({ channelId: s.channelId }).go({ consistent: true })).data).toEqual([]);
    } finally {
      t.deps.publisher = before;
    }
  });
});

describe("dead and slow connections", () => {
  it("deletes a connection that answers 410, with its subscriptions, and still delivers to the rest", async () => {
    api.reset();
    const s = await t.server();
    const live = await connection(s.owner.id, [s.channelId]);
    const dead = await connection(s.owner.id, [s.channelId]);
    api.behaviour.set(dead, "gone");
    await publisher().toChannel(ch(s), event("x"));
    expect(receivers()).toEqual([dead, live].sort());
    expect((await t.deps.db.entities.connections.get({ connectionId: dead }).go()).data).toBeNull();
    expect((await t.deps.db.entities.subscriptions.query.byConnection({ connectionId: dead }).go()).data).toEqual([]);
    expect((await t.deps.db.entities.connections.get({ connectionId: live }).go()).data).not.toBeNull();

    api.reset();
    await publisher().toChannel(ch(s), event("y"));
    expect(receivers()).toEqual([live]);
  });

  // API Gateway answers 410 until the handshake is over, and `$connect` stored the connection before:
  // forgetting it then left an open socket that never heard a DM or its channels again.
  it("keeps a connection still in its handshake that answers 410: once open, it gets the next event", async () => {
    api.reset();
    const [u1, u2] = await Promise.all([t.user(), t.user()]);
    const opening = await connection(u1.id, [], new Date());
    const other = await connection(u2.id);
    api.behaviour.set(opening, "gone");
    await publisher().toUsers([u1.id, u2.id], event("early"));
    expect(receivers()).toEqual([opening, other].sort());
    expect((await t.deps.db.entities.connections.get({ connectionId: opening }).go()).data).not.toBeNull();
    expect((await t.deps.db.entities.users.get({ userId: u1.id }).go()).data?.connectionCount).toBe(1);

    api.reset();
    api.behaviour.delete(opening);
    await publisher().toUsers([u1.id], event("open now"));
    expect(receivers()).toEqual([opening]);
  });

  it("announces a user offline when a 410 closes their last connection, to those sharing a server", async () => {
    api.reset();
    const s = await t.server();
    const m = await t.member(s);
    const watcher = await connection(s.owner.id, [s.channelId]);
    const dead = await connection(m.id, [s.channelId]);
    api.behaviour.set(dead, "gone");
    await publisher().toChannel(ch(s), event("x"));
    const toWatcher = api.posts.filter((p) => p.connectionId === watcher).map((p) => JSON.parse(p.body));
    expect(toWatcher).toEqual([event("x"), { type: "presence", userId: m.id, online: false }]);
    expect((await t.deps.db.entities.users.get({ userId: m.id }).go()).data?.connectionCount).toBe(0);
  });

  it("keeps a connection that fails otherwise (500), and logs it", async () => {
    api.reset();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const s = await t.server();
    const flaky = await connection(s.owner.id, [s.channelId]);
    api.behaviour.set(flaky, "fail");
    await publisher().toChannel(ch(s), event("x"));
    expect((await t.deps.db.entities.connections.get({ connectionId: flaky }).go()).data).not.toBeNull();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/failed: InternalServerErrorException ×1/));
    vi.restoreAllMocks();
  });

  it("posts again, once, when the connection a post went out on was reset, and delivers it", async () => {
    api.reset();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const s = await t.server();
    const unlucky = await connection(s.owner.id, [s.channelId]);
    const other = await connection(s.owner.id, [s.channelId]);
    api.behaviour.set(unlucky, "reset");
    await publisher().toChannel(ch(s), event("x"));
    // The reset post was not lost: tried again, it arrived once, like the other's.
    expect(receivers()).toEqual([unlucky, other].sort());
    expect(api.log.filter((l) => l.endsWith(unlucky))).toEqual([`reset:${unlucky}`, `answered:${unlucky}`]);
    expect(warn).not.toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it("does not let a hung connection delay the others, and gives up on it after the timeout", async () => {
    api.reset();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const s = await t.server();
    const hung = await connection(s.owner.id, [s.channelId]);
    const others = await Promise.all(Array.from({ length: 5 }, () => connection(s.owner.id, [s.channelId])));
    api.behaviour.set(hung, "hang");
    const started = Date.now();
    await publisher({ postTimeoutMs: 400 }).toChannel(ch(s), event("x"));
    // It waited for the timeout (a lower bound, which no machine's speed can break) and then gave up.
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(receivers()).toEqual([...others].sort());
    await vi.waitFor(() => expect(api.log).toContain(`abandoned:${hung}`));
    // Every other connection was answered before the hung one was given up on: it delayed none of them.
    const givenUp = api.log.indexOf(`abandoned:${hung}`);
    expect(api.log.slice(0, givenUp).sort()).toEqual(others.map((o) => `answered:${o}`).sort());
    expect(api.log.slice(givenUp + 1)).toEqual([]);
    vi.restoreAllMocks();
  });

  it("keeps at most `concurrency` posts in flight", async () => {
    api.reset();
    const s = await t.server();
    const ids = await Promise.all(Array.from({ length: 12 }, () => connection(s.owner.id, [s.channelId])));
    for (const id of ids) api.behaviour.set(id, "slow");
    await publisher({ concurrency: 3 }).toChannel(ch(s), event("x"));
    expect(receivers()).toEqual([...ids].sort());
    expect(api.maxInFlight).toBe(3);
  });
});

describe("never failing the caller", () => {
  it("resolves when the recipients cannot be read", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const { createDeps } = await import("../src/deps.ts");
    const broken = createDeps({ dynamo: t.deps.dynamo, tableName: "no_such_table", jwtSecret: "x".repeat(32) });
    const p = createApiGatewayPublisher(broken.db, { endpoint, region: "local", credentials: { accessKeyId: "k", secretAccessKey: "s" } });
    await expect(p.toChannel({ serverId: "01ARZ3NDEKTSV4RRFFQ69G5FAV", channelId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }, event("x"))).resolves.toBeUndefined();
    await expect(p.toUsers(["u"], event("x"))).resolves.toBeUndefined();
    expect(error).toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it("resolves when the endpoint does not answer at all", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const s = await t.server();
    await connection(s.owner.id, [s.channelId]);
    const nowhere = publisher({ endpoint: `http://127.0.0.1:${await freePort()}/prod` });
    await expect(nowhere.toChannel(ch(s), event("x"))).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/0 sent, 0 gone, failed/));
    vi.restoreAllMocks();
  });

  it("does not post a frame over API Gateway's 128 KB message limit", async () => {
    api.reset();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await publisher().toConnection("big=", { type: "error", code: "internal", message: "x".repeat(128 * 1024) });
    expect(api.posts).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/over API Gateway's limit/));
    vi.restoreAllMocks();
  });

  it("reads the endpoint lazily when given a function", async () => {
    api.reset();
    let current = "http://127.0.0.1:1/not-yet";
    const lazy = publisher({ endpoint: () => current });
    current = endpoint;
    await lazy.toConnection("late=", { type: "pong" });
    expect(receivers()).toEqual(["late="]);
  });
});
