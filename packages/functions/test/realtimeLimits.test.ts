/**
 * The WebSocket limits of api.md "Sessions and safety" at the handler, fed API Gateway events by
 * hand (a real socket proves the 429 handshake in packages/local/test/removal.test.ts): each is a
 * database condition, so concurrent frames cannot get past it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { realtimeLimits, mayAnnouncePresence, typingFrom } from "@agorusta/core/realtime";
import { createWsHandler } from "../src/ws/handler.ts";
import { announcePresence } from "../src/delivery/announcePresence.ts";
import { testApi, type TestApi, type TestServer } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";
import { wsEvent } from "./wsEvents.ts";

const publisher = recordingPublisher();
let t: TestApi;
let handle: ReturnType<typeof createWsHandler>;
beforeAll(async () => {
  t = await testApi({ publisher });
  handle = createWsHandler(t.deps);
});

let n = 0;
const newConnectionId = () => `lim${Date.now().toString(36)}${n++}=`;
const event = wsEvent;
/** A handshake as the web app makes it: a one-time ticket for the token, then `$connect` with it. */
const ticketOf = async (token: string) => (await t.call("POST", "/auth/ws-ticket", { token })).body.ticket as string;
const connect = async (token: string, id = newConnectionId(), on = handle) =>
  on(event("$connect", id, { queryStringParameters: { ticket: await ticketOf(token) } }));
const frame = (connectionId: string, body: unknown) => handle(event("$default", connectionId, { body: JSON.stringify(body) }));
const disconnect = (connectionId: string) => handle(event("$disconnect", connectionId));
/** The frames the handler posted back to a connection, in order. */
const repliesTo = (connectionId: string) =>
  publisher.sent.flatMap((p) => (p.to === "connection" && p.connectionId === connectionId ? [p.frame as Record<string, unknown>] : []));

describe("connections per user", () => {
  it(`accepts ${realtimeLimits.connectionsPerUser} open connections, refuses the next with 429 rate_limited, and takes one again when one closes`, async () => {
    const u = await t.user();
    const ids = Array.from({ length: realtimeLimits.connectionsPerUser + 5 }, newConnectionId);
    // All at once: the cap is the count's condition, so no two handshakes can both take the last place.
    const results = await Promise.all(ids.map((id) => connect(u.token, id)));
    const accepted = ids.filter((_, i) => results[i]!.statusCode === 200);
    const refused = results.filter((r) => r.statusCode !== 200);
    expect(accepted).toHaveLength(realtimeLimits.connectionsPerUser);
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expect(r.statusCode).toBe(429);
      expect(JSON.parse(r.body!)).toMatchObject({ error: { code: "rate_limited", message: expect.any(String) } });
    }
    // A refused handshake stores nothing.
    const { data } = await t.deps.db.entities.connections.query.byUser({ userId: u.id }).go({ pages: "all" });
    expect(data.map((c) => c.connectionId).sort()).toEqual([...accepted].sort());

    expect((await connect(u.token)).statusCode).toBe(429);
    await disconnect(accepted[0]!);
    expect((await connect(u.token)).statusCode).toBe(200);
    expect((await connect(u.token)).statusCode).toBe(429);
  });
});

describe("AGORUSTA_RATE_LIMITS=off", () => {
  it("lifts the WebSocket limits with the rest: more connections than the cap, typing relayed every time", async () => {
    const unlimited = createWsHandler({ ...t.deps, usageLimits: "off" });
    const u = await t.user();
    const ids = Array.from({ length: realtimeLimits.connectionsPerUser + 3 }, newConnectionId);
    const results = await Promise.all(ids.map((id) => connect(u.token, id, unlimited)));
    expect(results.map((r) => r.statusCode)).toEqual(ids.map(() => 200));
    const s = await t.server(u);
    await unlimited(event("$default", ids[0]!, { body: JSON.stringify({ action: "subscribe", channelId: s.channelId }) }));
    publisher.clear();
    for (let i = 0; i < 3; i++) await unlimited(event("$default", ids[0]!, { body: JSON.stringify({ action: "typing", channelId: s.channelId }) }));
    expect(publisher.sent.filter((p) => p.to === "channel" && p.event.type === "typing")).toHaveLength(3);
  });
});

describe("subscriptions per connection", () => {
  let s: TestServer;
  let channels: string[];
  beforeAll(async () => {
    s = await t.server();
    channels = [s.channelId];
    for (let i = 0; channels.length < realtimeLimits.subscriptionsPerConnection + 1; i++) {
      const res = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: `room-${i}` } });
      expect(res.status).toBe(201);
      channels.push(res.body.id);
    }
  }, 60_000);

  const results = (id: string) =>
    repliesTo(id).filter((f) => f.type === "subscribed" || (f.type === "error" && f.code === "limit_reached"));

  it(`subscribes to ${realtimeLimits.subscriptionsPerConnection} channels and answers the next limit_reached, even all at once`, async () => {
    const id = newConnectionId();
    expect((await connect(s.owner.token, id)).statusCode).toBe(200);
    await Promise.all(channels.map((channelId) => frame(id, { action: "subscribe", channelId })));
    const answers = results(id);
    expect(answers.filter((f) => f.type === "subscribed")).toHaveLength(realtimeLimits.subscriptionsPerConnection);
    const refused = answers.filter((f) => f.type === "error");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ code: "limit_reached", channelId: expect.any(String) });
    const { data } = await t.deps.db.entities.subscriptions.query.byConnection({ connectionId: id }).go({ pages: "all" });
    expect(data).toHaveLength(realtimeLimits.subscriptionsPerConnection);
    expect((await t.deps.db.entities.connections.get({ connectionId: id }).go()).data?.subscriptionCount).toBe(100);

    // Subscribing again to a watched channel is no new subscription; unsubscribing frees a place.
    const watched = data[0]!.channelId;
    await frame(id, { action: "subscribe", channelId: watched });
    expect(repliesTo(id).at(-1)).toEqual({ type: "subscribed", channelId: watched });
    await frame(id, { action: "unsubscribe", channelId: watched });
    await frame(id, { action: "unsubscribe", channelId: watched }); // idempotent: uncounted once
    await frame(id, { action: "subscribe", channelId: refused[0]!.channelId });
    expect(repliesTo(id).at(-1)).toEqual({ type: "subscribed", channelId: refused[0]!.channelId });
    await frame(id, { action: "subscribe", channelId: watched });
    expect(repliesTo(id).at(-1)).toMatchObject({ type: "error", code: "limit_reached", channelId: watched });
  }, 60_000);
});

describe("typing", () => {
  it("is relayed at most once per 3 s per connection and channel; extra frames are dropped", async () => {
    const s = await t.server();
    const other = await t.member(s);
    const [typist, listener] = [newConnectionId(), newConnectionId()];
    await connect(s.owner.token, typist);
    await connect(other.token, listener);
    for (const id of [typist, listener]) await frame(id, { action: "subscribe", channelId: s.channelId });
    publisher.clear();
    await Promise.all(Array.from({ length: 8 }, () => frame(typist, { action: "typing", channelId: s.channelId })));
    const relayed = () => publisher.sent.filter((p) => p.to === "channel" && p.event.type === "typing");
    expect(relayed()).toHaveLength(1);
    expect(repliesTo(typist)).toEqual([]); // dropped silently: no error frames either

    // The throttle is the subscription's stamp: 3 s later (by the clock the condition compares) it relays again.
    const stamp = (await t.deps.db.entities.subscriptions.get({ channelId: s.channelId, connectionId: typist }).go()).data!.typingAt!;
    expect(await typingFrom(t.deps.db, typist, s.channelId, stamp + 2_999)).toBeNull();
    const owner = { userId: s.owner.id, username: s.owner.username, userCreatedAt: expect.any(String) };
    expect(await typingFrom(t.deps.db, typist, s.channelId, stamp + 3_000)).toEqual(owner);
    expect(await typingFrom(t.deps.db, typist, s.channelId, stamp + 5_999)).toBeNull();
    expect(await typingFrom(t.deps.db, typist, s.channelId, stamp + 6_000)).toEqual(owner);
    // Each connection and channel has its own stamp.
    expect(await typingFrom(t.deps.db, listener, s.channelId)).toMatchObject({ userId: other.id, username: other.username });
  });

  it("names the typist from the subscription it stamps: the user is not read", async () => {
    const s = await t.server();
    const typist = newConnectionId();
    await connect(s.owner.token, typist);
    await frame(typist, { action: "subscribe", channelId: s.channelId });
    const me = (await t.call("GET", "/auth/me", { token: s.owner.token })).body;
    publisher.clear();
    const counts = t.deps.dynamo.counts;
    for (const k of Object.keys(counts)) delete counts[k];
    await frame(typist, { action: "typing", channelId: s.channelId });
    const relayed = publisher.sent.flatMap((p) => (p.to === "channel" && p.event.type === "typing" ? [p.event] : []));
    expect(relayed).toHaveLength(1);
    expect(relayed[0]).toEqual({ type: "typing", channelId: s.channelId, user: { id: me.id, username: me.username, createdAt: me.createdAt, avatarUrl: null, bot: false } });
    // The session check (its session only: the connection's identity was kept from the subscribe
    // frame) and the stamp; no GetItem of the user.
    expect(counts).toEqual({ GetItem: 1, UpdateItem: 1 });
  });

  it("is refused with not_found from a connection not subscribed to the channel", async () => {
    const s = await t.server();
    const id = newConnectionId();
    await connect(s.owner.token, id);
    await frame(id, { action: "typing", channelId: s.channelId });
    expect(repliesTo(id)).toEqual([expect.objectContaining({ type: "error", code: "not_found", channelId: s.channelId })]);
  });
});

describe("malformed channel ids in frames", () => {
  it.each([
    ["a word", "bob"],
    ["a 20,000-character string", "0".repeat(20_000)],
    ["a lower-case id", "01arz3ndektsv4rrffq69g5fav"],
  ])("are unknown channels (not_found), not invalid requests: %s", async (_, channelId) => {
    const s = await t.server();
    const id = newConnectionId();
    await connect(s.owner.token, id);
    await frame(id, { action: "subscribe", channelId });
    await frame(id, { action: "typing", channelId });
    await frame(id, { action: "unsubscribe", channelId });
    expect(repliesTo(id)).toEqual([
      expect.objectContaining({ type: "error", code: "not_found", channelId }),
      expect.objectContaining({ type: "error", code: "not_found", channelId }),
      { type: "unsubscribed", channelId },
    ]);
  });
});

describe("presence", () => {
  it(`is announced at most ${realtimeLimits.presencePerMinute} times a minute for a user connecting and disconnecting in a loop`, async () => {
    const s = await t.server();
    publisher.clear();
    for (let i = 0; i < 15; i++) {
      const id = newConnectionId();
      await connect(s.owner.token, id);
      await disconnect(id);
    }
    const announced = publisher.sent.filter((p) => p.to === "server" && p.event.type === "presence" && p.event.userId === s.owner.id);
    expect(announced).toHaveLength(realtimeLimits.presencePerMinute);
  });

  it("counts announcements per minute: a new minute starts a new count", async () => {
    const u = await t.user();
    const minute = Date.parse("2026-12-01T10:00:00.000Z");
    for (let i = 0; i < realtimeLimits.presencePerMinute; i++) expect(await mayAnnouncePresence(t.deps.db, u.id, minute + i)).toBe(true);
    expect(await mayAnnouncePresence(t.deps.db, u.id, minute + 59_999)).toBe(false);
    expect(await mayAnnouncePresence(t.deps.db, u.id, minute + 60_000)).toBe(true);
  });

  it(`goes to the ${realtimeLimits.presenceServers} servers joined most recently, to at most ${realtimeLimits.presenceRecipients} connections`, async () => {
    const u = await t.user();
    // Creating servers is limited to 10 an hour per user: several owners, each within it.
    const owners = await Promise.all(Array.from({ length: Math.ceil((realtimeLimits.presenceServers + 3) / 10) }, () => t.user()));
    const joined: string[] = [];
    for (let i = 0; i < realtimeLimits.presenceServers + 3; i++) {
      const owner = owners[Math.floor(i / 10)]!;
      const s = await t.server(owner);
      const invite = await t.call("POST", `/servers/${s.id}/invites`, { token: owner.token, body: {} });
      expect((await t.call("POST", `/invites/${invite.body.code}/join`, { token: u.token })).status).toBe(200);
      joined.push(s.id);
    }
    publisher.clear();
    await announcePresence(t.deps.db, publisher, u.id, true);
    const [sent] = publisher.sent.filter((p) => p.to === "server");
    expect(sent).toMatchObject({ event: { type: "presence", userId: u.id, online: true }, maxRecipients: realtimeLimits.presenceRecipients });
    expect([...(sent as unknown as { serverId: string[] }).serverId].sort()).toEqual(joined.slice(3).sort());
  }, 60_000);
});
