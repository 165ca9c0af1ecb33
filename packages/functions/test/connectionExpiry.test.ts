/**
 * Closing a WebSocket at its token's expiry (issue 21, item 4; delivery/connectionExpiry.ts):
 * what `$connect` schedules, and what the queue's consumer does when a request comes due. The
 * whole path over real sockets and the local runtime is in packages/local/test/sessions.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { WsEvent } from "../src/ws/handler.ts";
import { createWsHandler } from "../src/ws/handler.ts";
import { closeIfExpired, delayFor, expiryRequest, MAX_DELAY_SECONDS, type ExpiryQueue, type ExpiryRequest } from "../src/delivery/connectionExpiry.ts";
import { newSession } from "@agorusta/core/auth";
import { testApi, type TestApi } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  t = await testApi({ publisher }, { lambda: "ws" });
});

function recordingQueue(): ExpiryQueue & { scheduled: ExpiryRequest[] } {
  const scheduled: ExpiryRequest[] = [];
  return { scheduled, schedule: async (r) => void scheduled.push(r) };
}

let n = 0;
/** Connects through the handler with a ticket for a token of this user that ends `seconds` from now. */
async function connectWithTokenFor(queue: ExpiryQueue, userId: string, seconds: number) {
  const db = t.deps.db;
  const { item, claims } = newSession(userId, db.clock.now());
  const expiresAt = Math.floor(db.clock.now() / 1000) + seconds;
  await db.entities.sessions.create({ ...item, ttl: expiresAt }).go();
  const token = await t.deps.tokens.issue({ ...claims, expiresAt });
  const ticket = (await t.call("POST", "/auth/ws-ticket", { token })).body.ticket as string;
  const connectionId = `expiry${Date.now().toString(36)}${n++}=`;
  const handle = createWsHandler({ ...t.deps, expiries: queue });
  const event = {
    requestContext: { routeKey: "$connect", eventType: "CONNECT", connectionId, connectedAt: db.clock.now() },
    queryStringParameters: { ticket },
    isBase64Encoded: false,
  } as unknown as WsEvent;
  expect(await handle(event)).toEqual({ statusCode: 200 });
  return { connectionId, expiresAt };
}

describe("$connect", () => {
  it("schedules the close of a connection whose token ends before API Gateway's 2-hour cap", async () => {
    const queue = recordingQueue();
    const u = await t.user();
    const { connectionId, expiresAt } = await connectWithTokenFor(queue, u.id, 3600);
    expect(queue.scheduled).toEqual([{ connectionId, expiresAt }]);
  });

  it("schedules nothing for a token that outlives the cap (the gateway closes the connection first)", async () => {
    const queue = recordingQueue();
    const u = await t.user();
    await connectWithTokenFor(queue, u.id, 2 * 3600 + 60);
    expect(queue.scheduled).toEqual([]);
  });

  it("still opens the connection when the queue refuses", async () => {
    const u = await t.user();
    const refusing: ExpiryQueue = { schedule: async () => Promise.reject(new Error("queue down")) };
    const { connectionId } = await connectWithTokenFor(refusing, u.id, 600);
    expect((await t.deps.db.entities.connections.get({ connectionId }).go()).data?.userId).toBe(u.id);
  });
});

describe("closeIfExpired, when a request comes due", () => {
  const deps = () => ({ db: t.deps.db, publisher });

  it("before the expiry (a hop of a wait longer than SQS's 15 minutes): asks again, for at most 15 minutes", async () => {
    const queue = recordingQueue();
    const now = t.deps.db.clock.now();
    const far = { connectionId: "far=", expiresAt: Math.floor(now / 1000) + 2000 };
    publisher.clear();
    await closeIfExpired(deps(), queue, far);
    expect(queue.scheduled).toEqual([far]);
    expect(publisher.sent).toEqual([]);
    expect(delayFor(far, now)).toBe(MAX_DELAY_SECONDS);
    expect(delayFor({ ...far, expiresAt: now / 1000 + 5.2 }, now)).toBe(6);
    expect(delayFor({ ...far, expiresAt: now / 1000 - 5 }, now)).toBe(0);
  });

  it("at the expiry: tells the connection its session ended, then closes it", async () => {
    const u = await t.user();
    const { connectionId, expiresAt } = await connectWithTokenFor(recordingQueue(), u.id, 600);
    // Its token has ended (as the item says: the clock is not waited for).
    const item = (await t.deps.db.entities.connections.get({ connectionId }).go()).data!;
    await t.deps.db.entities.connections.put({ ...item, sessionExpiresAt: Math.floor(t.deps.db.clock.now() / 1000) - 1 }).go();
    publisher.clear();
    await closeIfExpired(deps(), recordingQueue(), { connectionId, expiresAt: expiresAt - 601 });
    expect(publisher.sent).toEqual([
      { to: "connection", connectionId, frame: { type: "error", code: "unauthorized", message: "Your session has ended. Sign in again." } },
      { to: "disconnect", connectionIds: [connectionId] },
    ]);
  });

  it("leaves alone a connection already closed, or one whose stored token has not ended", async () => {
    const u = await t.user();
    const { connectionId } = await connectWithTokenFor(recordingQueue(), u.id, 600);
    publisher.clear();
    const past = Math.floor(t.deps.db.clock.now() / 1000) - 1;
    await closeIfExpired(deps(), recordingQueue(), { connectionId, expiresAt: past });
    await closeIfExpired(deps(), recordingQueue(), { connectionId: "long-gone=", expiresAt: past });
    expect(publisher.sent).toEqual([]);
  });

  it("reads requests from message bodies, and nothing from anything else", () => {
    expect(expiryRequest(JSON.stringify({ connectionId: "a=", expiresAt: 5 }))).toEqual({ connectionId: "a=", expiresAt: 5 });
    for (const body of ["not json", "{}", JSON.stringify({ connectionId: "", expiresAt: 5 }), JSON.stringify({ connectionId: "a=", expiresAt: "5" }), "null"]) {
      expect(expiryRequest(body), body).toBeNull();
    }
  });
});
