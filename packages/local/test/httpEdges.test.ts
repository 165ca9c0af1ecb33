/**
 * Issue 21, item 5: the one port `npm start` serves (web, API, WebSocket) answers requests the app
 * never sees (TRACE, CONNECT, methods Node cannot parse such as FOO and TRACK, a Host no URL can
 * hold) with a 4xx in the contract's JSON and the web app's headers, where it answered TRACE with
 * a plain-text 500, dropped CONNECT, and gave empty 400s.
 * Raw sockets, so nothing between the test and the server tidies the request up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { testRuntime } from "@agorusta/testing";
import type { Runtime } from "../src/runtime.ts";

let rt: Runtime;
beforeAll(async () => {
  rt = await testRuntime();
});
afterAll(() => rt.close());

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` as it is and reads the answer until the server closes the connection. */
function raw(request: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(rt.port, "127.0.0.1", () => socket.write(request));
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => (text += d));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
  });
}
const request = (method: string, target: string, extra = "") =>
  raw(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${rt.port}\r\nConnection: close\r\n${extra}\r\n`);

function expectJsonError(res: RawAnswer, status: number, code: string) {
  expect(res.status, res.body).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  expect(JSON.parse(res.body)).toMatchObject({ error: { code, message: expect.any(String) } });
  // The web app's headers, as on every other answer of this port.
  expect(res.headers["x-content-type-options"]).toBe("nosniff");
  expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
}

describe("methods the app never sees", () => {
  it("TRACE /api/health is the API's JSON 404, not a plain-text 500", async () => {
    const res = await request("TRACE", "/api/health");
    expectJsonError(res, 404, "not_found");
    expect(JSON.parse(res.body).error.message).toBe("No route for TRACE /api/health.");
  });

  it("TRACE of a web page and of the WebSocket path likewise (nothing is echoed back)", async () => {
    for (const target of ["/", "/servers/x", "/ws"]) {
      const res = await request("TRACE", target, "X-Secret: echo-me\r\n");
      expectJsonError(res, 404, "not_found");
      expect(res.body).not.toContain("echo-me");
    }
  });

  it("CONNECT is answered (404 JSON), not a dropped connection", async () => {
    expectJsonError(await request("CONNECT", `127.0.0.1:${rt.port}`), 404, "not_found");
    expectJsonError(await request("CONNECT", "example.com:443"), 404, "not_found");
  });

  it("a method Node cannot parse (FOO, TRACK, a lower-case trace) is the contract's 400 invalid_request", async () => {
    for (const method of ["FOO", "TRACK", "trace"]) expectJsonError(await request(method, "/api/health"), 400, "invalid_request");
  });

  it("a method Node parses but no route has (PROPFIND, PATCH on /health) is the app's 404", async () => {
    expectJsonError(await request("PROPFIND", "/api/health"), 404, "not_found");
    expectJsonError(await request("PATCH", "/api/health"), 404, "not_found");
  });

  it("a request with no Host, or one no URL can hold, is the contract's 400 (Node and @hono/node-server answered an empty one)", async () => {
    expectJsonError(await raw(`GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n`), 400, "invalid_request");
    for (const host of ["a b", "localhost:99999", "[::1", "127.0.0.1:3000, evil.example"]) {
      expectJsonError(await raw(`GET /api/health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), 400, "invalid_request");
    }
    expectJsonError(await request("GET", "/api\\health"), 400, "invalid_request");
  });

  it("the known methods still work on the same connection setup", async () => {
    const res = await request("GET", "/api/health");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
  });
});
