/**
 * The WebSocket handler on its own, fed API Gateway events by hand: what it stores, what it
 * answers, and that every reply goes back to the asking connection through the publisher.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createDynamoClients, localDynamoConfig, type Frame, type Publisher } from "@agorusta/core";
import { inject } from "vitest";
import { createDeps } from "../src/deps.ts";
import { createWsHandler, type WsEvent } from "../src/ws/handler.ts";
import { testApi, TEST_SECRET, type TestApi } from "@agorusta/testing";

let t: TestApi;
const replies: { connectionId: string; frame: Frame }[] = [];
const recording: Publisher = {
  toChannel: async () => {},
  toServer: async () => {},
  toUsers: async () => {},
  toConnection: async (connectionIds, frame) => {
    for (const connectionId of [connectionIds].flat()) replies.push({ connectionId, frame });
  },
  disconnect: async (ids) => void closed.push(...ids),
};
const closed: string[] = [];
let handle: ReturnType<typeof createWsHandler>;
beforeAll(async () => {
  t = await testApi({ publisher: recording }, { lambda: "ws" }); // the handler under test is the WebSocket Lambda
  handle = createWsHandler(t.deps);
});

let n = 0;
const newConnectionId = () => `conn${Date.now().toString(36)}${n++}=`;
const connectedAt = Date.parse("2026-11-25T10:00:00.000Z");
function event(routeKey: string, connectionId: string, fields: Partial<WsEvent> = {}): WsEvent {
  return {
    requestContext: { routeKey, connectionId, connectedAt, eventType: routeKey === "$connect" ? "CONNECT" : routeKey === "$disconnect" ? "DISCONNECT" : "MESSAGE" },
    isBase64Encoded: false,
    ...fields,
  } as WsEvent;
}
const ticketOf = async (token: string) => (await t.call("POST", "/auth/ws-ticket", { token })).body.ticket as string;
const connectAs = async (token: string) => {
  const id = newConnectionId();
  expect(await handle(event("$connect", id, { queryStringParameters: { ticket: await ticketOf(token) } }))).toEqual({ statusCode: 200 });
  return id;
};
/** Sends a frame and returns the one reply it got. */
async function send(connectionId: string, body: unknown) {
  const before = replies.length;
  const result = await handle(event("$default", connectionId, { body: typeof body === "string" ? body : JSON.stringify(body) }));
  expect(replies.slice(before)).toHaveLength(1);
  expect(replies[before]!.connectionId).toBe(connectionId);
  return { result, reply: replies[before]!.frame as Record<string, unknown> };
}
const subscriptionsOfConnection = async (connectionId: string) =>
  (await t.deps.db.entities.subscriptions.query.byConnection({ connectionId }).go()).data;

describe("$connect", () => {
  it("stores the connection for the token's user, expiring after API Gateway's 2-hour limit", async () => {
    const u = await t.user();
    const id = await connectAs(u.token);
    const { data } = await t.deps.db.entities.connections.get({ connectionId: id }).go();
    expect(data).toEqual({
      connectionId: id,
      userId: u.id,
      connectedAt: "2026-11-25T10:00:00.000Z",
      sessionId: expect.any(String),
      sessionExpiresAt: expect.any(Number),
      // Who it is, as a typing indicator shows them.
      username: u.username,
      userCreatedAt: expect.any(String),
      ttl: connectedAt / 1000 + 2 * 3600 + 600,
    });
  });

  it("answers 401 with the contract's error body for a missing, bad or used ticket, or a token in the URL, and stores nothing", async () => {
    const u = await t.user();
    const used = await ticketOf(u.token);
    await handle(event("$connect", newConnectionId(), { queryStringParameters: { ticket: used } }));
    const tooShort = (await ticketOf(u.token)).slice(1);
    for (const query of [undefined, {}, { ticket: "" }, { ticket: "x.y.z" }, { ticket: used }, { ticket: tooShort }, { token: u.token }]) {
      const id = newConnectionId();
      const result = await handle(event("$connect", id, query ? { queryStringParameters: query } : {}));
      expect(result.statusCode).toBe(401);
      expect(JSON.parse(result.body!)).toMatchObject({ error: { code: "unauthorized", message: expect.any(String) } });
      expect((await t.deps.db.entities.connections.get({ connectionId: id }).go()).data).toBeNull();
    }
  });
});

describe("$default", () => {
  it("refuses a frame once the connection's session has ended, though this handler already knows the connection", async () => {
    const u = await t.user();
    const id = await connectAs(u.token);
    expect((await send(id, { action: "ping" })).reply).toEqual({ type: "pong" });
    // Logout closes the session's sockets; one that escaped that (the recording publisher closes
    // nothing) is refused at its next frame, and closed.
    expect((await t.call("POST", "/auth/logout", { token: u.token })).status).toBe(204);
    closed.length = 0;
    expect((await send(id, { action: "ping" })).reply).toMatchObject({ type: "error", code: "unauthorized" });
    expect(closed).toEqual([id]);
  });

  let shared: string | undefined;
  /** A connection of some user, for frames whose answer does not depend on who sends them. */
  const anyConnection = async () => (shared ??= await connectAs((await t.user()).token));

  it("replies through the publisher to the asking connection, and returns no body", async () => {
    const id = await anyConnection();
    const { result, reply } = await send(id, { action: "ping" });
    expect(result).toEqual({ statusCode: 200 });
    expect(reply).toEqual({ type: "pong" });
  });

  it("subscribes a member, stores the channel's server, and expires with the connection", async () => {
    const s = await t.server();
    const id = await connectAs(s.owner.token);
    expect((await send(id, { action: "subscribe", channelId: s.channelId })).reply).toEqual({ type: "subscribed", channelId: s.channelId });
    expect(await subscriptionsOfConnection(id)).toEqual([
      { channelId: s.channelId, connectionId: id, serverId: s.id, userId: s.owner.id, username: s.owner.username, userCreatedAt: expect.any(String), sessionExpiresAt: expect.any(Number), ttl: connectedAt / 1000 + 2 * 3600 + 600 },
    ]);
  });

  it("lets a member who joined by invite subscribe, and refuses a stranger with not_found", async () => {
    const s = await t.server();
    const joined = await t.member(s);
    expect((await send(await connectAs(joined.token), { action: "subscribe", channelId: s.channelId })).reply.type).toBe("subscribed");
    const strangerConnection = await connectAs((await t.user()).token);
    const { result, reply } = await send(strangerConnection, { action: "subscribe", channelId: s.channelId });
    expect(result.statusCode).toBe(200);
    expect(reply).toEqual({ type: "error", code: "not_found", message: "No such channel.", channelId: s.channelId });
    expect(await subscriptionsOfConnection(strangerConnection)).toEqual([]);
  });

  it("refuses to subscribe a connection it does not know (swept, or never connected)", async () => {
    const s = await t.server();
    const { reply } = await send("neverConnected=", { action: "subscribe", channelId: s.channelId });
    expect(reply).toMatchObject({ type: "error", code: "unauthorized", channelId: s.channelId });
  });

  it("subscribes a member to a whole server (the frame's session check, one GetItem, one transaction, the audience's new token); $disconnect forgets it", async () => {
    const s = await t.server();
    const id = await connectAs(s.owner.token);
    const counts = t.deps.dynamo.counts;
    for (const k of Object.keys(counts)) delete counts[k];
    expect((await send(id, { action: "subscribe", serverId: s.id })).reply).toEqual({ type: "subscribed", serverId: s.id });
    // The session check every frame makes (the connection, its session), then the connection and the
    // transaction, then the server's audience token (core/realtime/audiences.ts).
    expect({ ...counts }).toEqual({ GetItem: 3, TransactWriteItems: 1, PutItem: 1 });
    // Stored as a subscription keyed by the server's own id: found by server, by connection, by a kick.
    expect(await subscriptionsOfConnection(id)).toEqual([
      { channelId: s.id, connectionId: id, serverId: s.id, userId: s.owner.id, username: s.owner.username, userCreatedAt: expect.any(String), sessionExpiresAt: expect.any(Number), ttl: connectedAt / 1000 + 2 * 3600 + 600 },
    ]);
    const stranger = await connectAs((await t.user()).token);
    expect((await send(stranger, { action: "subscribe", serverId: s.id })).reply).toEqual({
      type: "error", code: "not_found", message: "No such server.", serverId: s.id,
    });
    await handle(event("$disconnect", id));
    expect(await subscriptionsOfConnection(id)).toEqual([]);
  });

  it("unsubscribes", async () => {
    const s = await t.server();
    const id = await connectAs(s.owner.token);
    await send(id, { action: "subscribe", channelId: s.channelId });
    expect((await send(id, { action: "unsubscribe", channelId: s.channelId })).reply).toEqual({ type: "unsubscribed", channelId: s.channelId });
    expect(await subscriptionsOfConnection(id)).toEqual([]);
  });

  it.each([
    ["not JSON", "{"],
    ["a JSON string", '"ping"'],
    ["null", "null"],
    ["an unknown action", { action: "shout" }],
    ["an action of the wrong type", { action: 1 }],
    ["a channel id of the wrong type", { action: "subscribe", channelId: 42 }],
    ["a subscribe naming nothing", { action: "subscribe" }],
    // Issue 21: a lone surrogate is never well-formed text, whatever field holds it.
    ["a channel id with a lone surrogate", { action: "subscribe", channelId: "01ARZ3NDEKTSV4RRFFQ69G5FAV\uDC00" }],
    ["a server id with a lone surrogate", { action: "unsubscribe", serverId: "\uD800" }],
    ["typing in a channel whose id holds a lone surrogate", { action: "typing", channelId: "x\uDFFF" }],
  ])("answers %s with an invalid_request error frame", async (_, body) => {
    const { result, reply } = await send(await anyConnection(), body);
    expect(result.statusCode).toBe(200);
    expect(reply).toEqual({ type: "error", code: "invalid_request", message: expect.any(String) });
  });

  // api.md "Sessions and safety": a malformed id is an unknown id.
  it("answers a server id that is not an id as an unknown server (not_found)", async () => {
    const { result, reply } = await send(await anyConnection(), { action: "subscribe", serverId: "x" });
    expect(result.statusCode).toBe(200);
    expect(reply).toMatchObject({ type: "error", code: "not_found", serverId: "x" });
  });

  it("answers a base64 (binary) body with an invalid_request error frame", async () => {
    const id = await anyConnection();
    const before = replies.length;
    await handle(event("$default", id, { body: Buffer.from('{"action":"ping"}').toString("base64"), isBase64Encoded: true }));
    expect(replies[before]!.frame).toMatchObject({ type: "error", code: "invalid_request" });
  });

  it("answers a fault with an internal error frame and status 500, and still answers ping", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    // Deps over a table that does not exist: every read fails as DynamoDB would.
    const broken = createDeps({
      dynamo: createDynamoClients(localDynamoConfig(inject("dynamoEndpoint"))),
      tableName: "no_such_table",
      jwtSecret: TEST_SECRET,
      publisher: () => recording,
    });
    const brokenHandle = createWsHandler(broken);
    const before = replies.length;
    const result = await brokenHandle(event("$default", "c1=", { body: JSON.stringify({ action: "subscribe", channelId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" }) }));
    expect(result.statusCode).toBe(500);
    expect(replies[before]!.frame).toMatchObject({ type: "error", code: "internal", channelId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" });
    expect(JSON.stringify(replies[before]!.frame)).not.toMatch(/no_such_table|ResourceNotFound/);
    await brokenHandle(event("$default", "c1=", { body: '{"action":"ping"}' }));
    expect(replies.at(-1)!.frame).toEqual({ type: "pong" });
    vi.restoreAllMocks();
  });
});

describe("$disconnect", () => {
  it("removes the connection and every subscription it had, and nothing of other connections", async () => {
    const s = await t.server();
    const second = await t.server(s.owner);
    const leaving = await connectAs(s.owner.token);
    const staying = await connectAs(s.owner.token);
    for (const channelId of [s.channelId, second.channelId]) {
      await send(leaving, { action: "subscribe", channelId });
      await send(staying, { action: "subscribe", channelId });
    }
    expect(await handle(event("$disconnect", leaving))).toEqual({ statusCode: 200 });
    expect((await t.deps.db.entities.connections.get({ connectionId: leaving }).go()).data).toBeNull();
    expect(await subscriptionsOfConnection(leaving)).toEqual([]);
    expect(await subscriptionsOfConnection(staying)).toHaveLength(2);
    // API Gateway may deliver `$disconnect` twice, or after a 410 prune already ran.
    expect(await handle(event("$disconnect", leaving))).toEqual({ statusCode: 200 });
  });
});
