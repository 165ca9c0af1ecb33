/**
 * What Node's HTTP server does with requests the app never sees, answered the way the app
 * answers (the contract's JSON errors, the web app's headers) instead of a plain-text 500 or a
 * silently closed socket (issue 21):
 * - TRACE: `new Request()` throws on it, so @hono/node-server answered 500;
 * - CONNECT: Node hands it to a `connect` listener, and without one drops the connection;
 * - a request Node cannot parse (a method its parser does not know, such as `FOO` or `TRACK`, a
 *   malformed header): Node's own bare 400 becomes the contract's `invalid_request`;
 * - a request without a `Host` (the server is made with `requireHostHeader: false`, so that Node
 *   leaves it to this), or one @hono/node-server cannot make a Request of (a `Host` no URL holds,
 *   such as `a b` or `localhost:99999`; a backslash in the path): their empty 400s become
 *   `invalid_request` (`requestErrors`).
 */
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { STATUS_CODES } from "node:http";
import { AppError, type ErrorBody } from "@agorusta/core";
import { RequestError } from "@hono/node-server";
import { unroutableMethod } from "@agorusta/functions/http/methods";

/** One whole HTTP/1.1 answer written straight to a socket (no ServerResponse exists for it), then closed. */
function writeRaw(socket: Duplex, status: number, body: unknown, headers: OutgoingHttpHeaders) {
  const text = JSON.stringify(body);
  const lines = Object.entries({ ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text), connection: "close" }).map(
    ([name, value]) => `${name}: ${String(value)}`,
  );
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\n${lines.join("\r\n")}\r\n\r\n${text}`);
}

/** The path of a request line's target, without its query (for the error's sentence). */
const pathOf = (url: string | undefined) => (url ?? "/").split("?")[0]!;

/** Node's answers to what it could not read, as its default `clientError` handler gives them. */
const unreadable: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, HPE_CHUNK_EXTENSIONS_OVERFLOW: 413, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/**
 * Puts the answers above in front of the server's own request listeners (call it after every
 * other listener is attached). `headers` go on each answer, as on the app's.
 */
export function answerUnroutable(server: Server, headers: OutgoingHttpHeaders): void {
  const others = server.listeners("request") as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners("request");
  const answer = (res: ServerResponse, status: number, error: ErrorBody) => {
    const body = JSON.stringify(error);
    res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const refused = unroutableMethod(req.method ?? "", pathOf(req.url));
    if (refused) return answer(res, refused.status, refused.body);
    if (!req.headers.host) return answer(res, 400, new AppError("invalid_request", "The request has no Host header.").toBody());
    others.forEach((listener) => listener.call(server, req, res));
  });
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    const refused = unroutableMethod("CONNECT", pathOf(req.url))!;
    writeRaw(socket, refused.status, refused.body, headers);
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Nothing can be answered on a socket that is gone or already has an answer under way.
    if (!socket.writable || (socket as Duplex & { bytesWritten?: number }).bytesWritten !== 0 || err.code === "ECONNRESET") return socket.destroy();
    const status = unreadable[err.code ?? ""];
    if (status) socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\n\r\n`);
    else writeRaw(socket, 400, new AppError("invalid_request", "The request is not HTTP this server can read.").toBody(), headers);
  });
}

/**
 * @hono/node-server's `errorHandler`: a request it cannot make a web Request of is the contract's
 * 400; anything else failing there (nothing should: the app answers its own errors) its 500, logged.
 */
export function requestErrors(headers: OutgoingHttpHeaders): (e: unknown) => Response {
  return (e) => {
    const error = e instanceof RequestError ? new AppError("invalid_request", `The request cannot be read: ${e.message}.`) : new AppError("internal");
    if (!(e instanceof RequestError)) console.error("the local server could not answer a request:", e);
    const plain = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));
    return new Response(JSON.stringify(error.toBody()), { status: error.status, headers: { ...plain, "content-type": "application/json" } });
  };
}

