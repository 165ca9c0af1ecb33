/**
 * A stand-in for API Gateway's `@connections` management API, for the publisher's and the Lambda
 * adapters' tests: it records every post and close (`DELETE`) under any stage, and answers each
 * connection as told (at once, slowly, 410, 500 or never), counting the most posts in flight at one time.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * How the stand-in answers a connection's posts: `ok` 200 (after `delayMs`), `slow` 200 after 50 ms,
 * `gone` 410, `fail` 500, `hang` never; `reset` cuts the connection the first post came on without
 * an answer (as a kept-alive socket the server closed just as it was reused), then answers `ok`.
 */
export type Behaviour = "ok" | "gone" | "fail" | "hang" | "slow" | "reset";

export function fakeConnectionsApi() {
  const behaviour = new Map<string, Behaviour>();
  const posts: { connectionId: string; body: string }[] = [];
  /** Every post and close, in order, with the path it reached (`/{stage}/@connections/{id}`). */
  const calls: { method: string; path: string; connectionId: string; body: string }[] = [];
  /** What happened to each request, in order: `answered:<id>`, `reset:<id>`, or `abandoned:<id>` when the client gave up on it. */
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    // Matched before decoding: a connection id may hold a `/` (encoded by the SDK).
    const match = /^\/([^/]+)\/@connections\/([^/]+)$/.exec(req.url ?? "");
    const connectionId = decodeURIComponent(match?.[2] ?? "");
    const path = `/${decodeURIComponent(match?.[1] ?? "")}/@connections/${connectionId}`;
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      const b = behaviour.get(connectionId) ?? "ok";
      if (b === "reset") {
        behaviour.set(connectionId, "ok");
        log.push(`reset:${connectionId}`);
        return req.socket.resetAndDestroy();
      }
      if (b === "hang") {
        // Never answers: only the publisher's timeout ends it, by closing the request.
        res.on("close", () => log.push(`abandoned:${connectionId}`));
        return;
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const answer = (status: number, type?: string) => {
        inFlight--;
        log.push(`answered:${connectionId}`);
        if (type) res.setHeader("x-amzn-errortype", type);
        res.writeHead(status, { "content-type": "application/json" }).end(type ? JSON.stringify({ message: type }) : "");
      };
      if ((req.method !== "POST" && req.method !== "DELETE") || !match) return answer(404, "NotFoundException");
      calls.push({ method: req.method, path, connectionId, body });
      if (req.method === "POST") posts.push({ connectionId, body });
      if (b === "gone") return answer(410, "GoneException");
      if (req.method === "DELETE" && b !== "fail") return answer(204);
      if (b === "fail") return answer(500, "InternalServerErrorException");
      setTimeout(() => answer(200), b === "slow" ? 50 : delayMs);
    });
  });
  // The publisher keeps its sockets alive between posts; on a loaded machine an idle gap can pass
  // Node's 5 s default and the reused socket is reset mid-request.
  server.keepAliveTimeout = 60_000;
  return {
    behaviour,
    posts,
    calls,
    log,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Forgets the posts, the log, the most in flight and every behaviour; `ok` posts are then answered after `options.delayMs` (default at once). */
    reset(options: { delayMs?: number } = {}) {
      posts.length = 0;
      calls.length = 0;
      log.length = 0;
      maxInFlight = 0;
      delayMs = options.delayMs ?? 0;
      behaviour.clear();
    },
    /** Listens on a free loopback port; the endpoint to give the publisher (a WebSocket API's management endpoint ends in its stage). */
    async listen(stage = "prod") {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/${stage}`;
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}
