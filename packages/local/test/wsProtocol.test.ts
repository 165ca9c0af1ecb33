/**
 * The WebSocket protocol end to end: real clients on the running local runtime's `/ws`, messages
 * posted through the real REST routes, delivered through the real SDK client and `@connections`.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { TestServer, TestUser } from "@agorusta/testing";
import { connect, connectAs, liveRuntime, ticketFor, subscribe, type Frame, type TestSocket } from "./wsClient.ts";

// The load tests post 50 messages a sender to one channel: past the message rate limit (20 per 10 s).
const live = liveRuntime({ usageLimits: "off" });
const open = live.open;
const post = async (s: { id: string; channelId: string }, user: TestUser, content: string) => {
  const res = await live.api.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: user.token, body: { content } });
  expect(res.status).toBe(201);
  return res.body as { id: string; content: string };
};
const newMessages = (f: Frame) => f.type === "new_message";
/** Polls the table until `check` holds: `$disconnect` and pruning run after the socket is gone. */
const eventually = (check: () => Promise<boolean>) =>
  vi.waitFor(async () => {
    if (!(await check())) throw new Error("condition not met yet");
  }, { timeout: 10_000, interval: 25 });
const connectionsOf = async (userId: string) =>
  (await live.rt.deps.db.entities.connections.query.byUser({ userId }).go()).data;
const subscriptionsOf = async (channelId: string) =>
  (await live.rt.deps.db.entities.subscriptions.query.byChannel({ channelId }).go()).data;

describe("the handshake", () => {
  it("accepts a valid token and stores the connection for its user", async () => {
    const u = await live.api.user();
    await open(u);
    const stored = await connectionsOf(u.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ userId: u.id, connectedAt: expect.any(String) });
    // The TTL outlives API Gateway's two-hour limit, so `$disconnect` always comes first.
    const ttl = stored[0]!.ttl!;
    expect(ttl - Date.parse(stored[0]!.connectedAt) / 1000).toBeGreaterThan(2 * 3600);
    expect(ttl - Date.parse(stored[0]!.connectedAt) / 1000).toBeLessThan(3 * 3600);
  });

  const bad: Record<string, () => Promise<string | undefined>> = {
    "no ticket": async () => undefined,
    "an empty ticket": async () => "",
    "garbage": async () => "not.a.ticket",
    "a ticket already used": async () => {
      const u = await live.api.user();
      const ticket = await ticketFor(live.rt, u.token);
      await (await connect(live.rt.wsUrl, ticket)).close();
      return ticket;
    },
    "an expired ticket": async () => {
      const u = await live.api.user();
      const ticket = await ticketFor(live.rt, u.token);
      // Rewritten as if it had been issued a minute ago: it was good for 30 s.
      const { data } = await live.rt.deps.db.entities.wsTickets.get({ ticket }).go();
      await live.rt.deps.db.entities.wsTickets.put({ ...data!, expiresAt: Date.now() - 30_000 }).go();
      return ticket;
    },
    "a ticket of a session that has ended": async () => {
      const u = await live.api.user();
      const ticket = await ticketFor(live.rt, u.token);
      expect((await live.api.call("POST", "/auth/logout", { token: u.token })).status).toBe(204);
      return ticket;
    },
  };
  it.each(Object.entries(bad))("refuses %s with HTTP 401 and the contract's error body", async (_, make) => {
    const err = await connect(live.rt.wsUrl, await make()).then(
      () => null,
      (e: { status?: number; body?: string }) => e,
    );
    expect(err?.status).toBe(401);
    expect(JSON.parse(err!.body!)).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("refuses a valid token in the URL: tokens stay out of access logs", async () => {
    const u = await live.api.user();
    const err = await connect(`${live.rt.wsUrl}?token=${u.token}`, undefined).catch((e: { status?: number; body?: string }) => e);
    expect(err).toMatchObject({ status: 401 });
    expect(JSON.parse((err as { body: string }).body).error.message).toMatch(/ticket/);
  });

  it("answers 404 for a path other than /ws", async () => {
    const u = await live.api.user();
    const err = await connect(`${live.rt.wsUrl}/elsewhere`, await ticketFor(live.rt, u.token)).catch((e: { status?: number }) => e);
    expect(err).toMatchObject({ status: 404 });
  });
});

describe("client actions", () => {
  let s: TestServer;
  let sock: TestSocket;
  beforeAll(async () => {
    s = await live.api.server();
    sock = await open(s.owner);
  });

  it("answers ping with pong", async () => {
    expect(await sock.request({ action: "ping" }, "pong")).toEqual({ type: "pong" });
  });

  it("subscribes a member and stores the subscription", async () => {
    expect(await subscribe(sock, s.channelId)).toEqual({ type: "subscribed", channelId: s.channelId });
    expect(await subscriptionsOf(s.channelId)).toEqual([
      expect.objectContaining({ channelId: s.channelId, serverId: s.id, userId: s.owner.id }),
    ]);
  });

  it("refuses a non-member, and an unknown channel, with the same not_found error frame", async () => {
    const stranger = await open(await live.api.user());
    const refused = await subscribe(stranger, s.channelId);
    expect(refused).toMatchObject({ type: "error", code: "not_found", channelId: s.channelId, message: expect.any(String) });
    const unknown = await subscribe(stranger, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expect(unknown).toMatchObject({ type: "error", code: "not_found" });
    expect(unknown.message).toBe(refused.message);
    expect(stranger.ws.readyState).toBe(stranger.ws.OPEN);
  });

  it("unsubscribes, idempotently", async () => {
    const other = await live.api.server(s.owner);
    await subscribe(sock, other.channelId);
    expect(await sock.request({ action: "unsubscribe", channelId: other.channelId }, "unsubscribed"))
      .toEqual({ type: "unsubscribed", channelId: other.channelId });
    expect(await subscriptionsOf(other.channelId)).toEqual([]);
    expect(await sock.request({ action: "unsubscribe", channelId: other.channelId }, "unsubscribed"))
      .toEqual({ type: "unsubscribed", channelId: other.channelId });
  });

  it.each([
    ["text that is not JSON", "hello"],
    ["JSON that is not an object", "[1,2]"],
    ["an object without action", "{}"],
    ["an unknown action", JSON.stringify({ action: "dance" })],
    ["subscribe without a channel", JSON.stringify({ action: "subscribe" })],
    ["an empty frame", ""],
  ])("answers %s with an invalid_request error frame and keeps the connection", async (_, raw) => {
    const reply = await sock.request(raw, "never");
    expect(reply).toEqual({ type: "error", code: "invalid_request", message: expect.any(String) });
    expect(await sock.request({ action: "ping" }, "pong")).toEqual({ type: "pong" });
  });

  // api.md "Sessions and safety": a malformed id is an unknown id.
  it("answers subscribe with a malformed id as for an unknown channel (not_found), and keeps the connection", async () => {
    const reply = await sock.request(JSON.stringify({ action: "subscribe", channelId: "../../x" }), "subscribed");
    expect(reply).toEqual({ type: "error", code: "not_found", message: expect.any(String), channelId: "../../x" });
    expect(await sock.request({ action: "ping" }, "pong")).toEqual({ type: "pong" });
  });

  it("answers a binary frame with an invalid_request error frame", async () => {
    const before = sock.frames.length;
    sock.ws.send(Buffer.from([0, 1, 2, 3]));
    const reply = await sock.waitFor((f) => sock.frames.indexOf(f) >= before);
    expect(reply).toMatchObject({ type: "error", code: "invalid_request" });
  });
});

describe("channel delivery", () => {
  it("pushes new_message to every subscriber, the sender's included, and to no one else", async () => {
    const s = await live.api.server();
    const [bob, carol, dave] = await Promise.all([live.api.member(s), live.api.member(s), live.api.member(s)]);
    const other = await live.api.server(s.owner);
    const ownerSock = await open(s.owner);
    const ownerSecond = await open(s.owner); // a second tab of the sender
    const bobSock = await open(bob);
    const carolSock = await open(carol); // subscribed to another channel only
    const daveSock = await open(dave); // a member connected but not subscribed
    await Promise.all([subscribe(ownerSock, s.channelId), subscribe(ownerSecond, s.channelId), subscribe(bobSock, s.channelId)]);
    await subscribe(carolSock, other.channelId).then((f) => expect(f.type).toBe("error")); // carol is not in `other`
    const ownerOther = await open(s.owner);
    await subscribe(ownerOther, other.channelId);

    const sent = await post(s, s.owner, "hello everyone");
    for (const sock of [ownerSock, ownerSecond, bobSock]) {
      const got = await sock.waitFor(newMessages);
      expect(got).toEqual({ type: "new_message", message: sent, cursor: expect.any(String) });
    }
    expect(sent).toMatchObject({ channelId: s.channelId, serverId: s.id, author: { id: s.owner.id } });
    // Each socket's own pong, asked for after the message reached its recipients, is the marker:
    // a wrongly addressed copy would have arrived before it.
    for (const sock of [carolSock, daveSock, ownerOther]) {
      await sock.request({ action: "ping" }, "pong");
      expect(sock.frames.filter(newMessages)).toEqual([]);
    }
  });

  it("stops delivering after unsubscribe", async () => {
    const s = await live.api.server();
    const sock = await open(s.owner);
    const stays = await open(s.owner);
    await Promise.all([subscribe(sock, s.channelId), subscribe(stays, s.channelId)]);
    await post(s, s.owner, "one");
    await sock.waitFor(newMessages);
    await sock.request({ action: "unsubscribe", channelId: s.channelId }, "unsubscribed");
    await post(s, s.owner, "two");
    // "two" was delivered (to the socket still subscribed), and the unsubscribed socket's own
    // pong, asked for after that, is the marker a stray copy would have preceded.
    await stays.waitFor((f) => newMessages(f) && f.message.content === "two");
    await sock.request({ action: "ping" }, "pong");
    expect(sock.frames.filter(newMessages).map((f) => f.message.content)).toEqual(["one"]);
  });

  it("forgets a closed connection and its subscriptions", async () => {
    const s = await live.api.server();
    const sock = await connectAs(live.rt, s.owner.token);
    await subscribe(sock, s.channelId);
    expect(await connectionsOf(s.owner.id)).toHaveLength(1);
    await sock.close();
    await eventually(async () => (await connectionsOf(s.owner.id)).length === 0);
    expect(await subscriptionsOf(s.channelId)).toEqual([]);
  });

  it("prunes a dead subscriber without breaking delivery to the others", async () => {
    const s = await live.api.server();
    const bob = await live.api.member(s);
    const alive = await open(bob);
    const dead = await open(s.owner);
    await Promise.all([subscribe(alive, s.channelId), subscribe(dead, s.channelId)]);
    expect(await subscriptionsOf(s.channelId)).toHaveLength(2);
    // A connection whose `$disconnect` never ran (a crashed Lambda, a lost event): its items
    // stay, and only a 410 from `@connections` reveals it is gone.
    const [ghost] = await subscriptionsOf(s.channelId).then((subs) => subs.filter((x) => x.userId === s.owner.id));
    await live.rt.deps.db.entities.connections.put({ connectionId: "ghostConnection0=", userId: s.owner.id, connectedAt: new Date(Date.now() - 60_000).toISOString() }).go();
    await live.rt.deps.db.entities.subscriptions.put({ ...ghost!, connectionId: "ghostConnection0=" }).go();
    dead.ws.terminate();

    const first = await post(s, bob, "still here?");
    expect((await alive.waitFor(newMessages)).message.id).toBe(first.id);
    await eventually(async () => (await subscriptionsOf(s.channelId)).length === 1);
    expect((await subscriptionsOf(s.channelId))[0]!.userId).toBe(bob.id);
    await eventually(async () => (await connectionsOf(s.owner.id)).length === 0);
    const second = await post(s, bob, "yes");
    expect((await alive.waitForCount(newMessages, 2)).map((f) => f.message.id)).toEqual([first.id, second.id]);
  });
});

describe("DM delivery", () => {
  it("pushes new_dm_message to every connection of both participants, without subscribing", async () => {
    const [ann, ben, cat] = await Promise.all([live.api.user(), live.api.user(), live.api.user()]);
    const dm = await live.api.call("POST", "/dms", { token: ann.token, body: { userId: ben.id } });
    expect(dm.status).toBe(201);
    const annTabs = [await open(ann), await open(ann)];
    const benSock = await open(ben);
    const catSock = await open(cat);
    const sent = await live.api.call("POST", `/dms/${dm.body.id}/messages`, { token: ann.token, body: { content: "psst" } });
    expect(sent.status).toBe(201);
    for (const sock of [...annTabs, benSock]) {
      expect(await sock.waitFor((f) => f.type === "new_dm_message")).toEqual({ type: "new_dm_message", message: sent.body, cursor: expect.any(String) });
    }
    // cat's own pong, asked for after the message reached both participants, is the marker.
    await catSock.request({ action: "ping" }, "pong");
    expect(catSock.frames).toEqual([{ type: "pong" }]);
  });
});

describe("under load", () => {
  // Sized to show interleaving (four senders at once, each sender's posts one after the other),
  // not throughput: that is `npm run bench:ws`'s.
  it("delivers 100 messages from 4 concurrent senders to 10 clients: none lost, none twice, each sender's in order", async () => {
    const s = await live.api.server();
    const senders = [s.owner, ...(await Promise.all([live.api.member(s), live.api.member(s), live.api.member(s)]))];
    const listeners = await Promise.all(Array.from({ length: 6 }, () => live.api.member(s)));
    const clients = await Promise.all([...senders, ...listeners].map(open));
    await Promise.all(clients.map((c) => subscribe(c, s.channelId)));
    expect(clients).toHaveLength(10);

    // Each sender posts its 25 one after the other; the four run at once.
    const sentBy = await Promise.all(
      senders.map(async (sender, i) => {
        const ids: string[] = [];
        for (let k = 0; k < 25; k++) ids.push((await post(s, sender, `s${i}-${k}`)).id);
        return ids;
      }),
    );
    const all = new Set(sentBy.flat());
    expect(all.size).toBe(100);
    for (const client of clients) {
      const got = (await client.waitForCount(newMessages, 100, 20_000)).map((f) => f.message.id as string);
      await client.request({ action: "ping" }, "pong"); // anything still in flight lands before the pong
      expect(client.frames.filter(newMessages)).toHaveLength(100);
      expect(new Set(got)).toEqual(all);
      for (const ids of sentBy) expect(got.filter((id) => ids.includes(id))).toEqual(ids);
    }
  }, 60_000);

  it("keeps one sender's messages in order in each channel, and channels apart", async () => {
    const s = await live.api.server();
    const second = (await live.api.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "second" } })).body;
    const both = await open(s.owner);
    const onlySecond = await open(s.owner);
    await Promise.all([subscribe(both, s.channelId), subscribe(both, second.id), subscribe(onlySecond, second.id)]);
    const sent: Record<string, string[]> = { [s.channelId]: [], [second.id]: [] };
    for (let k = 0; k < 30; k++) {
      const channelId = k % 3 === 0 ? second.id : s.channelId;
      sent[channelId]!.push((await post({ id: s.id, channelId }, s.owner, `m${k}`)).id);
    }
    const got = await both.waitForCount(newMessages, 30);
    for (const channelId of [s.channelId, second.id]) {
      expect(got.filter((f) => f.message.channelId === channelId).map((f) => f.message.id)).toEqual(sent[channelId]);
    }
    expect((await onlySecond.waitForCount(newMessages, 10)).map((f) => f.message.id)).toEqual(sent[second.id]);
  });

  it("loses nothing for the others when a client is killed mid-stream", async () => {
    const s = await live.api.server();
    const members = await Promise.all(Array.from({ length: 5 }, () => live.api.member(s)));
    const clients = await Promise.all(members.map(open));
    await Promise.all(clients.map((c) => subscribe(c, s.channelId)));
    const [victim, ...survivors] = clients;
    const ids: string[] = [];
    for (let k = 0; k < 60; k++) {
      if (k === 20) victim!.ws.terminate(); // no close handshake: a crashed tab, a dropped network
      ids.push((await post(s, s.owner, `n${k}`)).id);
    }
    for (const c of survivors) {
      expect((await c.waitForCount(newMessages, 60)).map((f) => f.message.id)).toEqual(ids);
    }
    expect(victim!.frames.filter(newMessages).length).toBeLessThanOrEqual(21);
    await eventually(async () => (await subscriptionsOf(s.channelId)).length === 4);
  });
});
