/**
 * The publisher's CPU per recipient: what one recipient of one event costs the process that
 * delivers it (deployed, the Lambda that is billed for it), measured with `process.cpuUsage`
 * around the real publisher (`createApiGatewayPublisher`, through the AWS SDK's client) posting
 * to an `@connections` endpoint that answers 200 at once. The endpoint runs in a child process,
 * so none of its CPU is counted; what is counted is the publisher, the SDK and Node's HTTP client.
 * Run alone: `node bench/ws-fanout/publisherCpu.ts`.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "node:http";
import { PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { HttpRequest, HttpResponse } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Db, Frame } from "@agorusta/core";
import { createConnectionsClient } from "@agorusta/functions/delivery/connectionsClient";
import { createApiGatewayPublisher } from "@agorusta/functions/delivery/publisher";
import { Sha256 } from "@agorusta/functions/delivery/sha256";

export interface PublisherCpu {
  /** Milliseconds of this process's CPU (user + system) per recipient. */
  perRecipient: number;
  /**
   * In the same run, what the least of each part of one post costs (ms of CPU per request): a plain
   * `http.request` of the same body to the same endpoint (any HTTP delivery pays it), SigV4
   * signing alone (AWS's signer, as the SDK calls it), and one `PostToConnection` through the
   * publisher's own SDK client with a request handler that answers without any HTTP: the SDK's
   * per-call work, signing included, which no configuration of it avoids.
   */
  floors: { plainHttp: number; signing: number; sdkWithoutHttp: number };
  /** Recipients posted to in the measured part. */
  recipients: number;
  /** Recipients per second of wall time while measuring. */
  perSecond: number;
}

/** The child: a plain HTTP server answering every request 200 with no body, as soon as its body is read. */
function serveInChild() {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-length": "0" }).end());
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send!((server.address() as AddressInfo).port));
  process.on("disconnect", () => process.exit(0));
}

async function startEndpoint(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(new URL(import.meta.url).pathname, ["--serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const [port] = (await once(child, "message")) as [number];
  return { url: `http://127.0.0.1:${port}`, child };
}

/** CPU (ms) per call of `call`, `calls` of them with 50 at once, after as many to warm up. */
async function cpuPerCall(call: (i: number) => Promise<unknown>, calls: number): Promise<number> {
  const run = async () => {
    let next = 0;
    await Promise.all(Array.from({ length: 50 }, async () => { while (next < calls) await call(next++); }));
  };
  await run();
  const cpu = process.cpuUsage();
  await run();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / calls;
}

/** The floors beside the publisher: a plain HTTP post of `body`, and signing one request. */
async function floors(url: string, body: Uint8Array, credentials: { accessKeyId: string; secretAccessKey: string }, calls: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  const { hostname, port } = new URL(url);
  // The headers a signed post carries, at their sizes, so the HTTP part is the same work.
  const headers = {
    "content-type": "application/octet-stream", "content-length": String(body.byteLength), "x-amz-date": "20261207T000000Z",
    "x-amz-content-sha256": "0".repeat(64), authorization: `AWS4-HMAC-SHA256 Credential=${"x".repeat(60)}, SignedHeaders=${"y".repeat(60)}, Signature=${"0".repeat(64)}`,
  };
  const plainHttp = await cpuPerCall(
    (i) =>
      new Promise<void>((resolve, reject) => {
        const req = request({ hostname, port, path: `/@connections/conn${i}`, method: "POST", agent, headers }, (res) => res.resume().on("end", resolve));
        req.on("error", reject).end(body);
      }),
    calls,
  );
  agent.destroy();
  const signer = new SignatureV4({ credentials, region: "local", service: "execute-api", sha256: Sha256 });
  const signing = await cpuPerCall(
    (i) =>
      signer.sign(
        new HttpRequest({ method: "POST", protocol: "http:", hostname, port: Number(port), path: `/@connections/conn${i}`, body,
          headers: { host: `${hostname}:${port}`, "content-type": "application/octet-stream", "content-length": String(body.byteLength) } }),
      ),
    calls,
  );
  const sdk = createConnectionsClient({ endpoint: url, region: "local", credentials, timeoutMs: 3000 });
  const answered = { response: new HttpResponse({ statusCode: 200, headers: {}, body: new Uint8Array(0) }) };
  sdk.config.requestHandler = { handle: async () => answered, updateHttpClientConfig() {}, httpHandlerConfigs: () => ({}) };
  const sdkWithoutHttp = await cpuPerCall((i) => sdk.send(new PostToConnectionCommand({ ConnectionId: `conn${i}`, Data: body })), calls);
  return { plainHttp, signing, sdkWithoutHttp };
}

/**
 * Posts one `new_message`-sized frame to `subscribers` connections per event, `events` times after
 * a warm-up, and divides the CPU the process used by the recipients. The publisher's database is
 * never read on this path (every post succeeds); only its clock is.
 */
export async function publisherCpu(options: { subscribers?: number; events?: number; warmUpEvents?: number } = {}): Promise<PublisherCpu> {
  const { subscribers = 100, events = 200, warmUpEvents = 100 } = options;
  const { url, child } = await startEndpoint();
  try {
    const db = { clock: { now: () => Date.now() } } as unknown as Db;
    const credentials = { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" };
    const publisher = createApiGatewayPublisher(db, { endpoint: url, region: "local", credentials, maxSockets: 50 });
    const ids = Array.from({ length: subscribers }, (_, i) => `conn${String(i).padStart(4, "0")}+/=AbCd`);
    const frame = (i: number): Frame =>
      ({
        type: "new_message",
        message: {
          id: `01JBENCH${String(i).padStart(18, "0")}`, channelId: "01JCHANNEL000000000000000000", serverId: "01JSERVER0000000000000000000",
          authorId: "01JAUTHOR0000000000000000000", author: { id: "01JAUTHOR0000000000000000000", username: "bench", displayName: null, avatarUrl: null },
          content: `message number ${i} of the publisher's CPU benchmark`, createdAt: new Date().toISOString(), editedAt: null,
          attachments: [], mentions: [], reactions: [], seq: i,
        },
      }) as unknown as Frame;
    for (let i = 0; i < warmUpEvents; i++) await publisher.toConnection(ids, frame(i));
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < events; i++) await publisher.toConnection(ids, frame(i));
    const used = process.cpuUsage(cpu);
    const wall = performance.now() - started;
    const recipients = subscribers * events;
    const body = new TextEncoder().encode(JSON.stringify(frame(0)));
    return {
      perRecipient: (used.user + used.system) / 1000 / recipients, recipients, perSecond: recipients / (wall / 1000),
      floors: await floors(url, body, credentials, recipients),
    };
  } finally {
    child.disconnect();
    child.kill();
  }
}

if (process.argv.includes("--serve")) serveInChild();
else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await publisherCpu();
  console.log(
    `publisher CPU per recipient: ${(r.perRecipient * 1000).toFixed(0)} µs (${r.recipients} recipients, ${r.perSecond.toFixed(0)}/s); ` +
      `plain HTTP post ${(r.floors.plainHttp * 1000).toFixed(0)} µs, SigV4 signing ${(r.floors.signing * 1000).toFixed(0)} µs, ` +
      `one SDK PostToConnection without HTTP ${(r.floors.sdkWithoutHttp * 1000).toFixed(0)} µs`,
  );
}
