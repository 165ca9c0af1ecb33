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
import type { Db, Frame } from "@agorusta/core";
import { createApiGatewayPublisher } from "@agorusta/functions/delivery/publisher";

export interface PublisherCpu {
  /** Milliseconds of this process's CPU (user + system) per recipient. */
  perRecipient: number;
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
    const publisher = createApiGatewayPublisher(db, {
      endpoint: url,
      region: "local",
      credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
      maxSockets: 50,
    });
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
    return { perRecipient: (used.user + used.system) / 1000 / recipients, recipients, perSecond: recipients / (wall / 1000) };
  } finally {
    child.disconnect();
    child.kill();
  }
}

if (process.argv.includes("--serve")) serveInChild();
else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await publisherCpu();
  console.log(`publisher CPU per recipient: ${(r.perRecipient * 1000).toFixed(0)} µs (${r.recipients} recipients, ${r.perSecond.toFixed(0)}/s)`);
}
