/**
 * The local stand-in for API Gateway's WebSocket API. Each socket on `/ws` gets a connection id,
 * and the gateway calls the very WebSocket handler the Lambda runs with API-Gateway-shaped events
 * (`$connect`, `$default`, `$disconnect`). It also serves the `@connections` management API the
 * AWS SDK posts to, and enforces API Gateway's limits, so what works here works deployed.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, WebSocket, type RawData } from "ws";
import { apiGatewayLimits, type GatewayLimits } from "@agorusta/core/realtime";
import type { WsEvent, WsHandler, WsResult } from "@agorusta/functions/ws/handler";
import { verifySigV4, type Credentials } from "./sigv4.ts";

export interface GatewayOptions {
  handler: WsHandler;
  /** Where sockets connect; the management API is served under the same path. */
  path?: string;
  /**
   * AWS accepts `@connections` calls signed (SigV4) with IAM credentials; here, only calls signed
   * with these (made up per start, known only to the local publisher). None: no check (tests).
   */
  credentials?: Credentials;
  /** API Gateway's limits by default; tests shorten the timeouts. */
  limits?: Partial<GatewayLimits>;
  /**
   * Posts to a client that reads slower than it is sent to are refused (429, as API Gateway
   * does when "the WebSocket client side buffer is full") once this much waits for it.
   */
  slowConsumerBytes?: number;
}

export interface WsGateway {
  /**
   * Takes over the server's WebSocket upgrades at `path`, and its `@connections` management API
   * calls (`path/@connections/{id}`); every other request goes on to the server's own listeners.
   */
  attach(server: Server): void;
  /** Open connections, by id. */
  readonly connections: ReadonlyMap<string, unknown>;
  /** Closes every socket (each gets its `$disconnect`) and waits for the handler calls in flight. */
  close(): Promise<void>;
}

interface Connection {
  id: string;
  ws: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  timers: NodeJS.Timeout[];
}

/** A JSON answer (or an empty one). */
function answer(res: ServerResponse, status: number, body?: unknown, headers: OutgoingHttpHeaders = {}) {
  if (body === undefined) return res.writeHead(status, headers).end();
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

const headerOf = (req: IncomingMessage, name: string): string | null => {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
};

/** Ids like API Gateway's: 16 characters of base64, so connection ids with `+`, `/` and `=` exercise the SDK's path encoding. */
const awsStyleId = () => randomBytes(11).toString("base64");

/** API Gateway's `requestTime`: `25/Nov/2026:10:00:00 +0000`. */
function requestTime(ms: number): string {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(new Date(ms).toUTCString())!;
  return `${day}/${month}/${year}:${time} +0000`;
}

export function createWsGateway(options: GatewayOptions): WsGateway {
  const { handler, path = "/ws", slowConsumerBytes = 8 * 1024 * 1024 } = options;
  const limits: GatewayLimits = { ...apiGatewayLimits, ...options.limits };
  const open = new Map<string, Connection>();
  const inFlight = new Set<Promise<unknown>>();
  let closing = false;
  // Incoming messages are capped at one frame's size: a browser sends each message as one frame,
  // so on API Gateway anything bigger is closed with 1009 whatever the message limit says.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.frameBytes, perMessageDeflate: false, clientTracking: false });

  function event(
    routeKey: string,
    eventType: "CONNECT" | "MESSAGE" | "DISCONNECT",
    conn: Pick<Connection, "id" | "connectedAt" | "sourceIp" | "userAgent">,
    extra: { context?: Record<string, unknown>; fields?: Record<string, unknown> } = {},
  ): WsEvent {
    const now = Date.now();
    return {
      requestContext: {
        routeKey,
        eventType,
        messageId: awsStyleId(),
        extendedRequestId: randomUUID(),
        requestId: randomUUID(),
        requestTime: requestTime(now),
        requestTimeEpoch: now,
        messageDirection: "IN",
        stage: "local",
        connectedAt: conn.connectedAt,
        connectionId: conn.id,
        domainName: "localhost",
        apiId: "local",
        identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
        ...extra.context,
      } as WsEvent["requestContext"],
      isBase64Encoded: false,
      ...extra.fields,
    };
  }

  /** Runs the handler; a throw is what a failed Lambda is, and the socket survives it. */
  function invoke(e: WsEvent): Promise<WsResult> {
    const call = handler(e).catch((err: unknown): WsResult => {
      console.error(`ws gateway: ${e.requestContext.routeKey} failed:`, err);
      return { statusCode: 500 };
    });
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
    return call;
  }

  function refuse(socket: Duplex, statusCode: number, body = "") {
    socket.end(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ""}\r\nConnection: close\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== path) return refuse(socket, 404);
    // A client told "going away" reconnects at once; during shutdown it must not get in.
    if (closing) return refuse(socket, 503);
    const pending = {
      id: awsStyleId(),
      connectedAt: Date.now(),
      sourceIp: req.socket.remoteAddress ?? "",
      userAgent: req.headers["user-agent"] ?? "",
    };
    const query = [...url.searchParams.keys()].length ? Object.fromEntries(url.searchParams) : undefined;
    const result = await invoke(
      event("$connect", "CONNECT", pending, {
        fields: { headers: req.headers, queryStringParameters: query },
      }),
    );
    if (result.statusCode < 200 || result.statusCode > 299) return refuse(socket, result.statusCode, result.body);

    let opened = false;
    const disconnectIfNeverOpened = () => {
      if (!opened) void invoke(event("$disconnect", "DISCONNECT", pending, { context: { disconnectStatusCode: 1006 } }));
    };
    // The client may have given up while `$connect` ran, or sent a bad handshake: undo the connect.
    if (socket.destroyed) return disconnectIfNeverOpened();
    socket.once("close", disconnectIfNeverOpened);
    wss.handleUpgrade(req, socket, head, (ws) => {
      opened = true;
      socket.off("close", disconnectIfNeverOpened);
      accept(ws, pending);
    });
  }

  function accept(ws: WebSocket, pending: Omit<Connection, "ws" | "lastActiveAt" | "timers">) {
    const conn: Connection = { ...pending, ws, lastActiveAt: Date.now(), timers: [] };
    open.set(conn.id, conn);
    const idle = setTimeout(() => ws.close(1001, "Going away"), limits.idleTimeoutMs);
    const lifetime = setTimeout(() => ws.close(1001, "Going away"), limits.connectionDurationMs);
    conn.timers.push(idle, lifetime);
    const touch = () => {
      conn.lastActiveAt = Date.now();
      idle.refresh();
    };

    ws.on("message", (data: RawData, isBinary: boolean) => {
      touch();
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]);
      // Like API Gateway, frames are handled concurrently: a client must not rely on their order.
      void invoke(
        event("$default", "MESSAGE", conn, {
          fields: isBinary ? { body: bytes.toString("base64"), isBase64Encoded: true } : { body: bytes.toString("utf8") },
        }),
      );
    });
    ws.on("ping", touch);
    ws.on("error", () => {}); // 'close' follows, with the code the error implies (1009 for a big frame)
    ws.on("close", (code: number, reason: Buffer) => {
      // Gone from the map first: from now on a post to it answers 410, as on AWS.
      open.delete(conn.id);
      for (const t of conn.timers) clearTimeout(t);
      void invoke(
        event("$disconnect", "DISCONNECT", conn, {
          context: { disconnectStatusCode: code, disconnectReason: reason.toString() },
        }),
      );
    });
  }

  /** Sends like API Gateway: a message over one frame's size goes out as a fragmented message. */
  function send(ws: WebSocket, data: Buffer) {
    const binary = !isUtf8(data);
    if (data.length <= limits.frameBytes) return ws.send(data, { binary });
    for (let at = 0; at < data.length; at += limits.frameBytes) {
      ws.send(data.subarray(at, at + limits.frameBytes), { binary, fin: at + limits.frameBytes >= data.length });
    }
  }

  /** API Gateway's REST-JSON error: the SDK maps `x-amzn-errortype` to its exception class. */
  const awsError = (res: ServerResponse, status: 403 | 404 | 410 | 413 | 429, type: string, message: string) =>
    answer(res, status, { message }, { "x-amzn-errortype": type });
  const gone = (res: ServerResponse) => awsError(res, 410, "GoneException", "Gone");

  /**
   * The body, or null once it passes API Gateway's message limit (read no further: an unsigned
   * caller cannot make it buffer more, as the signature is checked only after).
   */
  function boundedBody(req: IncomingMessage): Promise<Buffer | null> {
    if (Number(req.headers["content-length"] ?? 0) > limits.messageBytes) return Promise.resolve(null);
    // Events rather than `for await`: its async iterator cost more than the read itself, once per recipient.
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limits.messageBytes) return void chunks.push(chunk);
        req.off("data", onData).pause();
        resolve(null);
      };
      req.on("data", onData).once("error", reject).once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    });
  }

  /**
   * The `@connections` management API. It is served straight off Node's request, ahead of the
   * app's web-standard stack: every recipient of every event is one of these calls, and turning
   * each into a `Request` and through a router cost more than the rest of the call
   * (docs/performance.md).
   */
  async function manage(req: IncomingMessage, res: ServerResponse, connectionId: string) {
    const body = await boundedBody(req);
    if (!body) {
      res.setHeader("connection", "close");
      return awsError(res, 413, "PayloadTooLargeException", `Message exceeds ${limits.messageBytes} bytes`);
    }
    if (options.credentials) {
      const refused = await verifySigV4(
        { method: req.method ?? "", url: new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`), header: (name) => headerOf(req, name), body },
        options.credentials,
      );
      // API Gateway's answer to a bad signature; the reason stays in the log, not in the answer.
      if (refused) {
        console.error(`ws gateway: @connections call refused: ${refused}`);
        return awsError(res, 403, "ForbiddenException", "Forbidden");
      }
    }
    if (!connectionId) return awsError(res, 404, "NotFoundException", "Not Found");
    const conn = open.get(connectionId);
    switch (req.method) {
      case "POST":
        if (!conn || conn.ws.readyState !== WebSocket.OPEN) return gone(res);
        if (conn.ws.bufferedAmount > slowConsumerBytes) return awsError(res, 429, "LimitExceededException", "The WebSocket client side buffer is full");
        // Answered once queued on the socket, not once read: a slow client never slows the poster.
        send(conn.ws, body);
        return answer(res, 200);
      case "GET":
        if (!conn) return gone(res);
        return answer(res, 200, {
          connectedAt: new Date(conn.connectedAt).toISOString(),
          identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
          lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
        });
      case "DELETE":
        if (!conn) return gone(res);
        conn.ws.close(1000);
        return answer(res, 204);
      default:
        return awsError(res, 404, "NotFoundException", "Not Found");
    }
  }

  /** The id of `{path}/@connections/{id}` (percent-encoded, as the SDK sends it): "" when it is missing or malformed. */
  const managementPrefix = `${path}/@connections/`;
  function connectionIdOf(url: string): string {
    const encoded = url.slice(managementPrefix.length).split("?")[0]!;
    if (encoded.includes("/")) return "";
    try {
      return decodeURIComponent(encoded);
    } catch {
      return "";
    }
  }

  return {
    connections: open,
    attach(server) {
      // Management calls are answered here; every other request goes on to the server's own listeners.
      const others = server.listeners("request") as Array<(req: IncomingMessage, res: ServerResponse) => void>;
      server.removeAllListeners("request");
      server.on("request", (req: IncomingMessage, res: ServerResponse) => {
        if (!req.url?.startsWith(managementPrefix)) return others.forEach((listener) => listener.call(server, req, res));
        manage(req, res, connectionIdOf(req.url)).catch((e: unknown) => {
          console.error("ws gateway: @connections call failed:", e);
          if (!res.headersSent) answer(res, 500, { message: "Internal server error" });
          else res.destroy();
        });
      });
      server.on("upgrade", (req, socket, head) => {
        upgrade(req, socket, head).catch((e: unknown) => {
          console.error("ws gateway: upgrade failed:", e);
          if (!socket.destroyed) refuse(socket, 500);
        });
      });
    },
    async close() {
      closing = true;
      const closed = [...open.values()].map((conn) => new Promise((r) => conn.ws.once("close", r)));
      for (const conn of open.values()) conn.ws.close(1001, "Going away");
      // A socket that does not answer the close handshake is cut after a second.
      const cut = setTimeout(() => {
        for (const conn of open.values()) conn.ws.terminate();
      }, 1000);
      await Promise.all(closed);
      clearTimeout(cut);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
