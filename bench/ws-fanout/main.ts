/**
 * `npm run bench:ws`: how long a channel message takes from `POST …/messages` to every
 * subscriber, for 1, 10 and 100 subscribers, on the local runtime (DynamoDB Local, the gateway,
 * the real SDK client) and on a bare `ws` broadcast server, side by side. Loopback only.
 * What the numbers mean and what limits them: docs/performance.md.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import WebSocket from "ws";
import { startDynamoLocal } from "../../packages/local/src/dynamoLocal.ts";
import { startRuntime, type Runtime } from "../../packages/local/src/runtime.ts";
import { startBaseline, type Baseline } from "./baseline.ts";
import { measure, type Result, type Target } from "./measure.ts";

const SUBSCRIBERS = [1, 10, 100];
/**
 * Subscribers are connections: 100 of them belong to 10 members, 10 each (tabs, devices).
 * Fan-out costs the same per connection whoever owns it, and registering 100 accounts
 * (argon2id at 64 MiB each) would take most of the two minutes this run may last.
 */
const MEMBERS = 10;
const plan = (n: number) => ({ latencyMessages: n >= 100 ? 60 : 100, throughputMessages: n >= 100 ? 60 : 200, senders: 4 });

async function json(res: Response): Promise<any> {
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Members to subscribe as, the server's owner to post as, and the channel. */
async function setUp(rt: Runtime, users: number) {
  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${rt.url}/api${path}`, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).then(json);
  const run = randomBytes(3).toString("hex");
  const register = (i: number) =>
    call("POST", "/auth/register", undefined, { email: `b${run}${i}@example.com`, username: `b${run}${i}`, password: "benchmark-password" })
      .then((r) => r.token as string);
  const owner = await register(0);
  const server = await call("POST", "/servers", owner, { name: `bench ${run}` });
  const detail = await call("GET", `/servers/${server.id}`, owner);
  const invite = await call("POST", `/servers/${server.id}/invites`, owner, {});
  const tokens = await Promise.all(Array.from({ length: users }, (_, i) => register(i + 1)));
  await Promise.all(tokens.map((t) => call("POST", `/invites/${invite.code}/join`, t)));
  return { owner, serverId: server.id as string, channelId: detail.channels[0].id as string, tokens };
}

const opened = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });

function agorusta(rt: Runtime, s: Awaited<ReturnType<typeof setUp>>): Target {
  const path = `${rt.url}/api/servers/${s.serverId}/channels/${s.channelId}/messages`;
  return {
    async subscribe(i) {
      const token = s.tokens[i % s.tokens.length]!;
      const { ticket } = await fetch(`${rt.url}/api/auth/ws-ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } }).then(json);
      const ws = await opened(`${rt.wsUrl}?ticket=${ticket}`);
      await new Promise<void>((resolve, reject) => {
        ws.on("message", function answer(data) {
          const frame = JSON.parse(data.toString());
          if (frame.type !== "subscribed" && frame.type !== "error") return;
          ws.off("message", answer);
          if (frame.type === "subscribed") resolve();
          else reject(new Error(JSON.stringify(frame)));
        });
        ws.send(JSON.stringify({ action: "subscribe", channelId: s.channelId }));
      });
      return ws;
    },
    async post(content) {
      await fetch(path, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${s.owner}` },
        body: JSON.stringify({ content }),
      }).then(json);
    },
  };
}

function bare(b: Baseline): Target {
  return {
    subscribe: () => opened(`${b.url.replace(/^http/, "ws")}/ws`),
    async post(content) {
      await fetch(`${b.url}/messages`, { method: "POST", body: JSON.stringify({ content }) }).then(json);
    },
  };
}

/** One DynamoDB Local round trip (a GetItem), p50 of 50: the unit most of a POST's time is made of. */
async function dynamoRoundTrip(rt: Runtime) {
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = performance.now();
    await rt.deps.db.entities.users.get({ userId: "probe" }).go();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[25]!;
}

/** DynamoDB requests of one POST with `subscribers` listening, by operation. */
async function costOfOnePost(rt: Runtime, target: Target) {
  const counts = rt.deps.dynamo.counts;
  for (const k of Object.keys(counts)) delete counts[k];
  await target.post("cost probe");
  return Object.entries(counts).map(([op, n]) => `${op} ${n}`).join(", ");
}

const ms = (x: number) => x.toFixed(1).padStart(7);
const rate = (x: number) => x.toFixed(0).padStart(7);
const times = (x: number) => `×${x.toFixed(1)}`.padStart(7);

async function main() {
  const began = performance.now();
  const load = () => loadavg()[0]!.toFixed(1);
  console.log(`ws fan-out benchmark — Node ${process.version}, ${cpus().length} CPU(s), load ${load()}, everything in one process on loopback`);
  const dynamo = await startDynamoLocal();
  const rt = await startRuntime({
    dynamoEndpoint: dynamo.endpoint,
    tableName: `bench_${Date.now()}`,
    jwtSecret: randomBytes(32).toString("hex"),
    port: 0,
  });
  const baseline = await startBaseline();
  try {
    const setup = await setUp(rt, MEMBERS);
    console.log(`set up ${MEMBERS} members in ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
    const rows: { n: number; a: Result; b: Result; cost: string }[] = [];
    for (const n of SUBSCRIBERS) {
      const a = await measure(agorusta(rt, setup), { subscribers: n, label: `agorusta ${n}`, ...plan(n) });
      const b = await measure(bare(baseline), { subscribers: n, label: `bare ${n}`, ...plan(n) });
      const cost = await costOfOnePost(rt, agorusta(rt, setup));
      rows.push({ n, a, b, cost });
      console.log(`${n} subscriber(s) measured (${((performance.now() - began) / 1000).toFixed(1)} s)`);
    }
    console.log(
      [
        "",
        "POST → delivered to every subscriber (ms); msgs/s with 4 senders at once",
        "",
        "subs |   agorusta p50     p99   msgs/s |  bare ws p50     p99   msgs/s |   ratio p50     p99   msgs/s",
        "-----+---------------------------------+-------------------------------+----------------------------",
        ...rows.map(({ n, a, b }) =>
          `${String(n).padStart(4)} | ${" ".repeat(4)}${ms(a.p50)} ${ms(a.p99)} ${rate(a.perSecond)} |` +
          ` ${" ".repeat(2)}${ms(b.p50)} ${ms(b.p99)} ${rate(b.perSecond)} |` +
          ` ${" ".repeat(4)}${times(a.p50 / b.p50)} ${times(a.p99 / b.p99)} ${times(b.perSecond / a.perSecond)}`,
        ),
        "",
        "ratio: agorusta ÷ bare for latency, bare ÷ agorusta for msgs/s (how many times slower).",
        ...rows.map(({ n, a, cost }) => `${n} subscriber(s): POST answered at p50 ${a.postP50.toFixed(1)} ms; DynamoDB per POST: ${cost}`),
        `one DynamoDB Local round trip (GetItem): p50 ${(await dynamoRoundTrip(rt)).toFixed(1)} ms`,
        `total ${((performance.now() - began) / 1000).toFixed(1)} s, load ${load()}`,
      ].join("\n"),
    );
  } finally {
    await baseline.close();
    await rt.close();
    await dynamo.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
