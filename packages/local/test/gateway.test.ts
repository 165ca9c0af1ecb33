/**
 * The local gateway against API Gateway's behaviour: the events it hands the handler, the
 * `@connections` API as the real SDK client sees it, and the limits (frame, message, idle, duration).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { connect as tcpConnect } from "node:net";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import type { WsEvent, WsResult } from "@agorusta/functions/ws/handler";
import type { GatewayLimits } from "@agorusta/core/realtime";
import { createWsGateway, type WsGateway } from "../src/gateway.ts";
import { connect, type TestSocket } from "./wsClient.ts";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@agorusta/functions/delivery/sha256";

const KEY = "test-key";
const SECRET = "test-secret-of-the-local-publisher";
const KB = 1024;

interface Harness {
  events: WsEvent[];
  wsUrl: string;
  endpoint: string;
  port: number;
  gateway: WsGateway;
  client: ApiGatewayManagementApiClient;
  /** The connection id the gateway gave the socket opened n-th (from its `$connect`). */
  idOf(n: number): string;
  eventsOf(id: string): string[];
}

const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
  vi.restoreAllMocks();
});

/** A gateway on its own server, over a handler that records each event and answers with `respond`. */
async function start(
  options: { respond?: (e: WsEvent) => Promise<WsResult> | WsResult; limits?: Partial<GatewayLimits>; slowConsumerBytes?: number } = {},
): Promise<Harness> {
  const events: WsEvent[] = [];
  const gateway = createWsGateway({
    handler: async (e) => {
      events.push(e);
      return (await options.respond?.(e)) ?? { statusCode: 200 };
    },
    credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.slowConsumerBytes ? { slowConsumerBytes: options.slowConsumerBytes } : {}),
  });
  const app = new Hono(); // everything but the gateway's own calls: none here
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server));
  });
  gateway.attach(server);
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}/ws`;
  const client = new ApiGatewayManagementApiClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
    maxAttempts: 1,
  });
  running.push({
    close: async () => {
      await gateway.close();
      client.destroy();
      await new Promise((r) => server.close(r));
    },
  });
  const connects = () => events.filter((e) => e.requestContext.routeKey === "$connect");
  return {
    events,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    endpoint,
    port,
    gateway,
    client,
    idOf: (n) => connects()[n]!.requestContext.connectionId,
    eventsOf: (id) => events.filter((e) => e.requestContext.connectionId === id).map((e) => e.requestContext.routeKey),
  };
}

const until = (check: () => boolean, timeout = 10_000) =>
  vi.waitFor(() => {
    if (!check()) throw new Error("condition not met yet");
  }, { timeout, interval: 10 });

const post = (h: Harness, id: string, data: string | Uint8Array) =>
  h.client.send(new PostToConnectionCommand({ ConnectionId: id, Data: typeof data === "string" ? new TextEncoder().encode(data) : data }));

describe("events handed to the handler", () => {
  it("gives $connect, $default and $disconnect of one socket the same API-Gateway-style connection id", async () => {
    const h = await start();
    const sock = await connect(h.wsUrl, "tok en", { headers: { "user-agent": "agorusta-test" } });
    sock.send({ action: "ping" });
    await until(() => h.events.length === 2);
    sock.ws.close(1000, "bye");
    await until(() => h.events.length === 3);

    const [connectEvent, message, disconnect] = h.events as [WsEvent, WsEvent, WsEvent];
    const id = connectEvent.requestContext.connectionId;
    expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(connectEvent).toMatchObject({
      queryStringParameters: { ticket: "tok en" },
      isBase64Encoded: false,
      requestContext: {
        routeKey: "$connect", eventType: "CONNECT", messageDirection: "IN", connectionId: id,
        connectedAt: expect.any(Number), requestTimeEpoch: expect.any(Number),
        requestTime: expect.stringMatching(/^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/),
        identity: { sourceIp: "127.0.0.1", userAgent: "agorusta-test" },
      },
    });
    expect(message).toMatchObject({
      body: '{"action":"ping"}',
      isBase64Encoded: false,
      requestContext: { routeKey: "$default", eventType: "MESSAGE", connectionId: id, connectedAt: connectEvent.requestContext.connectedAt },
    });
    expect(message.requestContext.messageId).toEqual(expect.any(String));
    expect(disconnect.requestContext).toMatchObject({ routeKey: "$disconnect", eventType: "DISCONNECT", connectionId: id, disconnectStatusCode: 1000, disconnectReason: "bye" });
    expect(disconnect.body).toBeUndefined();
  });

  it("gives each socket its own id", async () => {
    const h = await start();
    await Promise.all(Array.from({ length: 5 }, () => connect(h.wsUrl, "t")));
    expect(new Set([0, 1, 2, 3, 4].map(h.idOf)).size).toBe(5);
  });

  it("refuses the handshake with the status and body $connect answers, and never calls $disconnect for it", async () => {
    const refuse = (e: WsEvent) => e.requestContext.routeKey === "$connect" && e.queryStringParameters?.["ticket"] === "bad";
    const h = await start({ respond: (e) => (refuse(e) ? { statusCode: 401, body: '{"error":{"code":"unauthorized"}}' } : { statusCode: 200 }) });
    const err = await connect(h.wsUrl, "bad").catch((e: { status: number; body: string }) => e);
    expect(err).toMatchObject({ status: 401, body: '{"error":{"code":"unauthorized"}}' });
    // A later socket's whole life is the marker: once its $disconnect is in, a $disconnect for the
    // refused one (which would have come first) is not coming.
    const marker = await connect(h.wsUrl, "good");
    marker.ws.close(1000);
    await until(() => h.events.length >= 3);
    const refusedId = h.idOf(0);
    expect(h.events.map((e) => [e.requestContext.connectionId === refusedId ? "refused" : "marker", e.requestContext.routeKey])).toEqual([
      ["refused", "$connect"],
      ["marker", "$connect"],
      ["marker", "$disconnect"],
    ]);
  });

  it("answers 500 when $connect throws, as API Gateway does for a failed Lambda", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const h = await start({ respond: () => Promise.reject(new Error("boom")) });
    const err = await connect(h.wsUrl, "t").catch((e: { status: number }) => e);
    expect(err).toMatchObject({ status: 500 });
  });

  it("keeps a socket open when its $default handler throws", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const h = await start({ respond: (e) => (e.requestContext.routeKey === "$default" ? Promise.reject(new Error("boom")) : { statusCode: 200 }) });
    const sock = await connect(h.wsUrl, "t");
    sock.send("x");
    await until(() => h.events.length === 2);
    await post(h, h.idOf(0), '{"type":"pong"}');
    expect(await sock.waitFor((f) => f.type === "pong")).toEqual({ type: "pong" });
  });

  it("calls $disconnect for a client that left while its $connect ran", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const h = await start({ respond: async (e) => (e.requestContext.routeKey === "$connect" ? held.then(() => ({ statusCode: 200 })) : { statusCode: 200 }) });
    const raw = tcpConnect(h.port, "127.0.0.1");
    await new Promise((r) => raw.once("connect", r));
    raw.write(`GET /ws?ticket=t HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await until(() => h.events.length === 1);
    // Gone before $connect answers (whether the gateway notices the close before or after the
    // answer, the connect must be undone by a $disconnect).
    raw.destroy();
    release();
    await until(() => h.events.length === 2);
    expect(h.eventsOf(h.idOf(0))).toEqual(["$connect", "$disconnect"]);
    expect(h.gateway.connections.size).toBe(0);
  });
});

describe("the @connections API, through the real SDK client", () => {
  it("posts a frame to the connection", async () => {
    const h = await start();
    const sock = await connect(h.wsUrl, "t");
    await post(h, h.idOf(0), JSON.stringify({ type: "pong" }));
    expect(await sock.waitFor(() => true)).toEqual({ type: "pong" });
  });

  it("describes a connection", async () => {
    const h = await start();
    const before = Date.now();
    await connect(h.wsUrl, "t", { headers: { "user-agent": "agorusta-test" } });
    const after = Date.now();
    const info = await h.client.send(new GetConnectionCommand({ ConnectionId: h.idOf(0) }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    // The handshake's own moment: between the start of the connect and its end (to the second, as the API rounds).
    expect(info.ConnectedAt!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(info.ConnectedAt!.getTime()).toBeLessThanOrEqual(after);
    expect(info.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(info.ConnectedAt!.getTime());
    expect(info.Identity).toEqual({ SourceIp: "127.0.0.1", UserAgent: "agorusta-test" });
  });

  it("closes a connection on DELETE, which then gets its $disconnect", async () => {
    const h = await start();
    const sock = await connect(h.wsUrl, "t");
    const id = h.idOf(0);
    await h.client.send(new DeleteConnectionCommand({ ConnectionId: id }));
    expect((await sock.closed).code).toBe(1000);
    await until(() => h.eventsOf(id).includes("$disconnect"));
    await expect(post(h, id, "{}")).rejects.toBeInstanceOf(GoneException);
  });

  it("answers 410 GoneException for an unknown id, whatever characters it has", async () => {
    const h = await start();
    for (const id of ["Zm9vYmFyYmF6cXV4=", "a+b/c=d==", "nope"]) {
      await expect(post(h, id, "{}")).rejects.toBeInstanceOf(GoneException);
      await expect(h.client.send(new GetConnectionCommand({ ConnectionId: id }))).rejects.toBeInstanceOf(GoneException);
      await expect(h.client.send(new DeleteConnectionCommand({ ConnectionId: id }))).rejects.toBeInstanceOf(GoneException);
    }
  });

  it("answers 403 ForbiddenException to a caller without the runtime's credentials", async () => {
    const h = await start();
    await connect(h.wsUrl, "t");
    const stranger = new ApiGatewayManagementApiClient({
      endpoint: h.endpoint, region: "local", credentials: { accessKeyId: "someone-else", secretAccessKey: "x" }, maxAttempts: 1,
    });
    await expect(stranger.send(new PostToConnectionCommand({ ConnectionId: h.idOf(0), Data: new Uint8Array(2) })))
      .rejects.toBeInstanceOf(ForbiddenException);
    stranger.destroy();
  });
});

describe("the @connections API's signature check", () => {
  /** A POST to the connection, signed with `secretAccessKey` at `signingDate`, sent with `sentBody`. */
  async function signedPost(h: Harness, o: { secretAccessKey?: string; signingDate?: Date; body?: string; sentBody?: string }) {
    const url = new URL(`${h.endpoint}/@connections/${encodeURIComponent(h.idOf(0))}`);
    const body = o.body ?? '{"hi":1}';
    const signer = new SignatureV4({ credentials: { accessKeyId: KEY, secretAccessKey: o.secretAccessKey ?? SECRET }, region: "local", service: "execute-api", sha256: Sha256 });
    const signed = await signer.sign(
      { method: "POST", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, "content-type": "application/json" }, body },
      o.signingDate ? { signingDate: o.signingDate } : {},
    );
    const { host: _host, ...headers } = signed.headers;
    return fetch(url, { method: "POST", headers, body: o.sentBody ?? body });
  }

  it("delivers a correctly signed post and refuses unsigned, forged, tampered and stale ones with 403", async () => {
    const h = await start();
    const socket = await connect(h.wsUrl, "t");
    expect((await signedPost(h, {})).status).toBe(200);
    await vi.waitFor(() => expect(socket.frames).toHaveLength(1));

    const unsigned = await fetch(`${h.endpoint}/@connections/${encodeURIComponent(h.idOf(0))}`, { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("ForbiddenException");
    // The right key id with a made-up signature, as someone who saw a header in a log would try.
    const keyOnly = await fetch(`${h.endpoint}/@connections/${encodeURIComponent(h.idOf(0))}`, {
      method: "POST",
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=${KEY}/20261201/local/execute-api/aws4_request, SignedHeaders=host, Signature=${"0".repeat(64)}`, "x-amz-date": new Date().toISOString().replace(/[-:]|\.\d{3}/g, "") },
      body: "{}",
    });
    expect(keyOnly.status).toBe(403);
    expect((await signedPost(h, { secretAccessKey: "guessed" })).status).toBe(403);
    expect((await signedPost(h, { sentBody: '{"hi":2}' })).status).toBe(403);
    expect((await signedPost(h, { signingDate: new Date(Date.now() - 10 * 60_000) })).status).toBe(403);
    // A last signed post: frames keep their order, so one that slipped through would show before it.
    expect((await signedPost(h, { body: '{"last":1}' })).status).toBe(200);
    await vi.waitFor(() => expect(socket.frames).toHaveLength(2));
    expect(socket.frames).toEqual([{ hi: 1 }, { last: 1 }]);
  });
});

/** A WebSocket handshake by hand on a raw TCP socket, whose received bytes collect in `bytes()`. */
async function rawSocket(h: Harness) {
  const raw = tcpConnect(h.port, "127.0.0.1");
  let buf = Buffer.alloc(0);
  raw.on("data", (d) => (buf = Buffer.concat([buf, d])));
  raw.write(`GET /ws?ticket=t HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await until(() => buf.includes("\r\n\r\n"));
  return { raw, bytes: () => buf };
}

/** The frames of one server message, read off a raw socket: [fin, opcode, payload length] each. */
async function rawFrames(h: Harness, send: (id: string) => Promise<unknown>): Promise<[boolean, number, number][]> {
  const { raw, bytes } = await rawSocket(h);
  let buf = bytes();
  await send(h.idOf(0));
  const frames: [boolean, number, number][] = [];
  const more = () => (buf = bytes());
  let at = buf.indexOf("\r\n\r\n") + 4;
  for (;;) {
    await until(() => more().length >= at + 2);
    const fin = (buf[at]! & 0x80) !== 0;
    const opcode = buf[at]! & 0x0f;
    let len = buf[at + 1]! & 0x7f;
    let header = 2;
    if (len === 126) {
      await until(() => more().length >= at + 4);
      len = buf.readUInt16BE(at + 2);
      header = 4;
    } else if (len === 127) {
      await until(() => more().length >= at + 10);
      len = Number(buf.readBigUInt64BE(at + 2));
      header = 10;
    }
    await until(() => more().length >= at + header + len);
    frames.push([fin, opcode, len]);
    at += header + len;
    if (fin) break;
  }
  raw.destroy();
  return frames;
}

describe("API Gateway's limits", () => {
  it("splits a message over 32 KB into frames of at most 32 KB, which a client reads as one message", async () => {
    const h = await start();
    const content = "é".repeat(50 * KB); // 100 KB of two-byte characters, split mid-character
    const frames = await rawFrames(h, (id) => post(h, id, JSON.stringify({ type: "x", content })));
    expect(frames.map(([fin]) => fin)).toEqual([false, false, false, true]);
    expect(frames.map(([, opcode]) => opcode)).toEqual([1, 0, 0, 0]); // text, then continuations
    for (const [, , len] of frames) expect(len).toBeLessThanOrEqual(32 * KB);

    const sock = await connect(h.wsUrl, "t");
    await post(h, h.idOf(1), JSON.stringify({ type: "x", content }));
    expect((await sock.waitFor((f) => f.type === "x")).content).toBe(content);
  });

  it("sends a message of 32 KB or less as one frame", async () => {
    const h = await start();
    const frames = await rawFrames(h, (id) => post(h, id, "x".repeat(32 * KB)));
    expect(frames).toEqual([[true, 1, 32 * KB]]);
  });

  it("refuses a post over 128 KB with 413 PayloadTooLargeException, and keeps the connection", async () => {
    const h = await start();
    const sock = await connect(h.wsUrl, "t");
    await expect(post(h, h.idOf(0), "x".repeat(128 * KB + 1))).rejects.toBeInstanceOf(PayloadTooLargeException);
    await post(h, h.idOf(0), JSON.stringify({ type: "big", content: "x".repeat(128 * KB - 100) }));
    expect((await sock.waitFor((f) => f.type === "big")).content).toHaveLength(128 * KB - 100);
  });

  it("closes a connection that sends a frame over 32 KB with 1009, then calls $disconnect", async () => {
    const h = await start();
    const sock = await connect(h.wsUrl, "t");
    sock.send("x".repeat(32 * KB + 1));
    expect((await sock.closed).code).toBe(1009);
    await until(() => h.eventsOf(h.idOf(0)).includes("$disconnect"));
    expect(h.eventsOf(h.idOf(0))).toEqual(["$connect", "$disconnect"]);
  });

  it("accepts a client frame of exactly 32 KB", async () => {
    const h = await start();
    const sock = await connect(h.wsUrl, "t");
    sock.send("y".repeat(32 * KB));
    await until(() => h.events.length === 2);
    expect(h.events[1]!.body).toHaveLength(32 * KB);
    expect(sock.ws.readyState).toBe(sock.ws.OPEN);
  });

  it("refuses posts with 429 LimitExceededException while a client does not read, and keeps it", async () => {
    const h = await start({ slowConsumerBytes: 256 * KB });
    const { raw } = await rawSocket(h);
    raw.pause(); // reads nothing more: the kernel's buffers fill, then the gateway's
    const frame = "z".repeat(100 * KB);
    let refusedAfter = 0;
    for (let i = 1; i <= 400 && !refusedAfter; i++) {
      await post(h, h.idOf(0), frame).catch((e: unknown) => {
        expect(e).toBeInstanceOf(LimitExceededException);
        refusedAfter = i;
      });
    }
    expect(refusedAfter).toBeGreaterThan(2); // the buffers did take some first
    expect(h.gateway.connections.has(h.idOf(0))).toBe(true);
    raw.destroy();
  });

  it("closes a connection idle past the idle timeout with 1001; client frames and pings keep it open", async () => {
    // Keep-alives every 100 ms against a 2 s timeout: a busy machine may stall this process for a
    // second without closing a socket that keeps talking.
    const h = await start({ limits: { idleTimeoutMs: 2000 } });
    const idle = await connect(h.wsUrl, "t");
    const chatty = await connect(h.wsUrl, "t");
    const pinging = await connect(h.wsUrl, "t");
    const started = Date.now();
    const keepAlive = setInterval(() => {
      chatty.send({ action: "ping" });
      pinging.ws.ping();
    }, 100);
    try {
      expect((await idle.closed).code).toBe(1001);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      // Forty keep-alives, at least 100 ms apart, span two idle timeouts: counted, not slept.
      const chattyId = h.idOf(1);
      await until(() => h.eventsOf(chattyId).filter((r) => r === "$default").length >= 40, 20_000);
      expect(h.eventsOf(chattyId)).not.toContain("$disconnect");
      expect(chatty.ws.readyState).toBe(chatty.ws.OPEN);
      expect(pinging.ws.readyState).toBe(pinging.ws.OPEN);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it("closes even an active connection at the end of the connection duration", async () => {
    const h = await start({ limits: { connectionDurationMs: 400 } });
    const sock: TestSocket = await connect(h.wsUrl, "t");
    const keepAlive = setInterval(() => sock.send({ action: "ping" }), 50);
    try {
      const started = Date.now();
      expect((await sock.closed).code).toBe(1001);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      clearInterval(keepAlive);
    }
    await until(() => h.eventsOf(h.idOf(0)).includes("$disconnect"));
  });
});

describe("closing the gateway", () => {
  it("closes every socket and waits for their $disconnect", async () => {
    const h = await start();
    const socks = await Promise.all([connect(h.wsUrl, "t"), connect(h.wsUrl, "t")]);
    await h.gateway.close();
    for (const s of socks) expect((await s.closed).code).toBe(1001);
    expect(h.events.filter((e) => e.requestContext.routeKey === "$disconnect")).toHaveLength(2);
    // What a browser does on "going away": reconnect at once. A closing gateway refuses it.
    await expect(connect(h.wsUrl, "t")).rejects.toMatchObject({ status: 503 });
    expect(h.events.filter((e) => e.requestContext.routeKey === "$connect")).toHaveLength(2);
  });
});
