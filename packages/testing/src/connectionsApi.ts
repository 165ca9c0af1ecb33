/**
 * A stand-in for API Gateway's `@connections` management API, for the publisher's tests: it
 * records every post and answers each connection as told (at once, slowly, 410, 500 or never),
 * counting the most posts in flight at one time.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** How the stand-in answers a connection's posts: `ok` 200 (after `delayMs`), `slow` 200 after 50 ms, `gone` 410, `fail` 500, `hang` never. */
export type Behaviour = "ok" | "gone" | "fail" | "hang" | "slow";

export function fakeConnectionsApi() {
  const behaviour = new Map<string, Behaviour>();
  const posts: { connectionId: string; body: string }[] = [];
  /** What happened to each request, in order: `answered:<id>`, or `abandoned:<id>` when the client gave up on it. */
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let delayMs = 0;
  const server: Server = createServer((req, res) => {
    const match = /^\/prod\/@connections\/([^/]+)$/.exec(req.url ?? "");
    const connectionId = decodeURIComponent(match?.[1] ?? "");
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      const b = behaviour.get(connectionId) ?? "ok";
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
      if (req.method !== "POST" || !match) return answer(404, "NotFoundException");
      posts.push({ connectionId, body });
      if (b === "gone") return answer(410, "GoneException");
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
    log,
    get maxInFlight() {
      return maxInFlight;
    },
    /** Forgets the posts, the log, the most in flight and every behaviour; `ok` posts are then answered after `options.delayMs` (default at once). */
    reset(options: { delayMs?: number } = {}) {
      posts.length = 0;
      log.length = 0;
      maxInFlight = 0;
      delayMs = options.delayMs ?? 0;
      behaviour.clear();
    },
    /** Listens on a free loopback port; the endpoint to give the publisher. */
    async listen() {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}
