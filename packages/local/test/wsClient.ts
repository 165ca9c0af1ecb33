/** A real WebSocket client for tests: records every frame and waits for the ones a test expects. */
import { afterAll, beforeAll } from "vitest";
import WebSocket from "ws";
import { runtimeApi, testRuntime } from "@agorusta/testing";
import type { Runtime } from "../src/runtime.ts";

export type Frame = Record<string, any>;

export interface TestSocket {
  ws: WebSocket;
  /** Every frame received so far, parsed, in arrival order. */
  frames: Frame[];
  send(frame: unknown): void;
  /** The first frame received (already or within `timeoutMs`) that matches. */
  waitFor(match: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Waits until `count` frames match, then returns them in arrival order. */
  waitForCount(match: (f: Frame) => boolean, count: number, timeoutMs?: number): Promise<Frame[]>;
  /** Sends an action and waits for the reply of that type (or an error frame). */
  request(frame: unknown, replyType: string): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/**
 * Opens a socket with this handshake ticket (`?ticket=`); rejects with the HTTP status if the
 * handshake is refused. `connectAs` gets a ticket for a token first, as the web app does.
 */
export function connect(wsUrl: string, ticket: string | undefined, options: WebSocket.ClientOptions = {}): Promise<TestSocket> {
  const url = ticket === undefined ? wsUrl : `${wsUrl}?ticket=${encodeURIComponent(ticket)}`;
  const ws = new WebSocket(url, options);
  const frames: Frame[] = [];
  const listeners = new Set<() => void>();
  ws.on("message", (data, isBinary) => {
    const text = isBinary ? `<binary ${(data as Buffer).length}>` : data.toString();
    let frame: Frame;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = { unparsed: text };
    }
    frames.push(frame);
    for (const l of listeners) l();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );

  function waitForCount(match: (f: Frame) => boolean, count: number, timeoutMs = 5000): Promise<Frame[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = frames.filter(match);
        if (found.length < count) return false;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(found.slice(0, count));
        return true;
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`waited ${timeoutMs} ms for ${count} frames, got ${frames.filter(match).length}; all: ${JSON.stringify(frames).slice(0, 500)}`));
      }, timeoutMs);
      if (!check()) listeners.add(check);
    });
  }

  const socket: TestSocket = {
    ws,
    frames,
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    waitForCount,
    waitFor: async (match, timeoutMs) => (await waitForCount(match, 1, timeoutMs))[0]!,
    async request(frame, replyType) {
      const before = frames.length;
      socket.send(frame);
      return socket.waitFor((f) => frames.indexOf(f) >= before && (f.type === replyType || f.type === "error"));
    },
    closed,
    async close() {
      if (ws.readyState !== WebSocket.CLOSED) ws.close();
      await closed;
    },
  };

  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(socket));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d));
      res.on("end", () => reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once("error", reject);
  });
}

/** A one-time handshake ticket for this token, from the runtime's `POST /api/auth/ws-ticket`. */
export async function ticketFor(rt: Pick<Runtime, "url">, token: string): Promise<string> {
  const res = await fetch(`${rt.url}/api/auth/ws-ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { ticket?: string };
  if (res.status !== 200 || !body.ticket) throw new Error(`ws-ticket refused: ${res.status} ${JSON.stringify(body)}`);
  return body.ticket;
}

/** Opens a socket for the holder of this token: a ticket, then the handshake with it. */
export async function connectAs(rt: Pick<Runtime, "url" | "wsUrl">, token: string, options: WebSocket.ClientOptions = {}): Promise<TestSocket> {
  return connect(rt.wsUrl, await ticketFor(rt, token), options);
}

/**
 * Subscribes and waits for the server's answer for this channel (`subscribed` or an error frame):
 * frames are handled concurrently, so two subscribes on one socket may be answered in any order.
 */
export function subscribe(s: TestSocket, channelId: string): Promise<Frame> {
  const before = s.frames.length;
  s.send({ action: "subscribe", channelId });
  return s.waitFor(
    (f) => s.frames.indexOf(f) >= before && (f.type === "subscribed" || f.type === "error") && f.channelId === channelId,
  );
}

/**
 * A test file's running runtime (started before its tests, closed after them), a REST client
 * over it, and `open(user)` for sockets that are closed with it.
 */
export function liveRuntime(options: Parameters<typeof testRuntime>[0] = {}) {
  const sockets: TestSocket[] = [];
  const live = {
    rt: undefined as unknown as Runtime,
    api: undefined as unknown as ReturnType<typeof runtimeApi>,
    /** A socket for the user, through a fresh ticket. */
    async open(user: { token: string }) {
      const s = await connectAs(live.rt, user.token);
      sockets.push(s);
      return s;
    },
    /** An owner and a member of a fresh server, each with a socket subscribed to `general`, and the path of its messages. */
    async room() {
      const s = await live.api.server();
      const member = await live.api.member(s);
      const [ownerWs, memberWs] = await Promise.all([live.open(s.owner), live.open(member)]);
      await subscribe(ownerWs, s.channelId);
      await subscribe(memberWs, s.channelId);
      return { s, member, ownerWs, memberWs, messages: `/servers/${s.id}/channels/${s.channelId}/messages` };
    },
  };
  beforeAll(async () => {
    live.rt = await testRuntime(options);
    live.api = runtimeApi(live.rt);
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await live.rt.close();
  });
  return live;
}
