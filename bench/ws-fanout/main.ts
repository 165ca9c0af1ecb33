/**
 * `npm run bench:ws`: how long a channel message takes from `POST …/messages` to every
 * subscriber, for 1, 10 and 100 subscribers, on the local runtime (DynamoDB Local, the gateway,
 * the real SDK client), beside three baselines in the same process: a bare `ws` broadcast, the
 * floor of this architecture (one PutItem to the same DynamoDB Local, then a write to each
 * socket), and the floor of Agorusta's guarantees (an authorization read and a gap-free
 * transaction, then each socket). Prints the ratios, the DynamoDB requests and sequential round
 * trips of one POST, and what DynamoDB Local took for each. The issue's targets are ratios to the
 * guaranteed baseline, each printed PASS or FAIL, with the publisher's CPU per recipient against an
 * endpoint that answers at once (publisherCpu.ts). The server has roles and the channel
 * overwrites, so a send's permission check is the one a real community pays.
 * `npm run bench:ws -- --soak`: 50 clients, 5 senders at once, beside the guaranteed baseline's. Loopback only.
 * What the numbers mean and what limits them: docs/performance.md.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { BatchGetItemCommand, BatchWriteItemCommand, PutItemCommand, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import { sequentialRoundTrips, type RequestSpan } from "@agorusta/core";
import WebSocket from "ws";
import { startDynamoLocal } from "@agorusta/local/dynamoLocal";
import { startRuntime, type Runtime } from "@agorusta/local/runtime";
import { startBaseline, type Baseline } from "./baseline.ts";
import { measure, soak, warmUp, type Result, type SoakResult, type Target } from "./measure.ts";
import { publisherCpu } from "./publisherCpu.ts";
import { pushPlannerCost } from "./pushPlanner.ts";

const SUBSCRIBERS = [1, 10, 100];
/**
 * Subscribers are connections: 100 of them belong to 10 members, 10 each (tabs, devices).
 * Fan-out costs the same per connection whoever owns it, and registering 100 accounts
 * (argon2id at 64 MiB each) would take most of the two minutes this run may last.
 */
const MEMBERS = 10;
/** Messages each target is sent before any measurement (measure.ts, `warmUp`). */
const WARM_UP_MESSAGES = 2000;
const plan = (n: number) => ({ latencyMessages: n >= 100 ? 60 : 100, throughputMessages: n >= 100 ? 60 : 200, senders: 4 });

export async function json(res: Response): Promise<any> {
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** A JSON call to the runtime's API, as `token`'s owner; its answer's body, or an error for a status that is not ok. */
export const apiCall = (rt: Runtime) => (method: string, path: string, token?: string, body?: unknown) =>
  fetch(`${rt.url}/api${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(json);

/**
 * Members to subscribe as, the server's owner to post as, and the channel. Every member has a
 * role, and the channel has overwrites for `@everyone` and for that role (which still let every
 * member see it and post): a send's permission check works through them as in a real community.
 */
async function setUp(rt: Runtime, users: number) {
  const call = apiCall(rt);
  const run = randomBytes(3).toString("hex");
  const register = (i: number) =>
    call("POST", "/auth/register", undefined, { email: `b${run}${i}@example.com`, username: `b${run}${i}`, password: "benchmark-password" })
      .then((r) => ({ token: r.token as string, userId: r.user.id as string }));
  const owner = (await register(0)).token;
  const server = await call("POST", "/servers", owner, { name: `bench ${run}` });
  const detail = await call("GET", `/servers/${server.id}`, owner);
  const channelId = detail.channels[0].id as string;
  const invite = await call("POST", `/servers/${server.id}/invites`, owner, {});
  const members = await Promise.all(Array.from({ length: users }, (_, i) => register(i + 1)));
  await Promise.all(members.map((m) => call("POST", `/invites/${invite.code}/join`, m.token)));
  const bit = (n: number) => (1n << BigInt(n)).toString();
  const role = await call("POST", `/servers/${server.id}/roles`, owner, { name: "regulars", permissions: bit(17) }); // MENTION_EVERYONE
  await Promise.all(members.map((m) => call("PUT", `/servers/${server.id}/members/${m.userId}/roles/${role.id}`, owner)));
  await call("PUT", `/servers/${server.id}/channels/${channelId}/overwrites/${server.id}`, owner, { type: "role", allow: "0", deny: bit(6) }); // no new reactions
  await call("PUT", `/servers/${server.id}/channels/${channelId}/overwrites/${role.id}`, owner, { type: "role", allow: bit(6), deny: "0" }); // but regulars may
  return { owner, serverId: server.id as string, channelId, tokens: members.map((m) => m.token) };
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
    async post(content, sender) {
      // Sender 0 is the owner; the others are members, each posting as themselves.
      const token = sender === 0 ? s.owner : s.tokens[(sender - 1) % s.tokens.length]!;
      await fetch(path, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ content }),
      }).then(json);
    },
  };
}

function baseline(b: Baseline): Target {
  return {
    subscribe: () => opened(`${b.url.replace(/^http/, "ws")}/ws`),
    async post(content) {
      await fetch(`${b.url}/messages`, { method: "POST", body: JSON.stringify({ content }) }).then(json);
    },
  };
}

/** The floor's store: one PutItem of a message-sized item into the table Agorusta uses. */
const putMessage = (rt: Runtime, tableName: string) => (m: { id: string; content: string; createdAt: string }) =>
  rt.deps.dynamo.raw
    .send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: "$agorusta#floor" }, sk: { S: `$message#${m.id}` },
          authorId: { S: "u" }, username: { S: "bench" }, content: { S: m.content }, createdAt: { S: m.createdAt },
        },
      }),
    )
    .then(() => undefined);

/**
 * The third baseline's store: the least a send with Agorusta's *guarantees* can do on this
 * database — the sender's authorization read (three items, strongly: session, membership,
 * channel head) and a gap-free commit (one TransactWriteItems: the channel's sequence from n to
 * n + 1 on the condition it is n, the message, its change-log item), one commit at a time per
 * channel as Agorusta's take turns. No HTTP framework, auth code, ElectroDB, or `@connections`.
 */
export function guaranteedSend(rt: Runtime, tableName: string) {
  const client = rt.deps.dynamo.raw;
  const pk = { S: "$agorusta#guaranteed" };
  const head = { pk, sk: { S: "channel" } };
  let seq = 0;
  let turn: Promise<unknown> = Promise.resolve();
  const ready = client.send(
    new BatchWriteItemCommand({
      RequestItems: { [tableName]: ["session", "member", "channel"].map((sk) => ({ PutRequest: { Item: { pk, sk: { S: sk }, seq: { N: "0" }, userId: { S: "u" } } } })) },
    }),
  );
  return async (m: { id: string; content: string; createdAt: string }) => {
    await ready;
    await client.send(
      new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: ["session", "member", "channel"].map((sk) => ({ pk, sk: { S: sk } })), ConsistentRead: true } } }),
    );
    const commit = turn.then(() => {
      const n = seq++;
      return client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: { TableName: tableName, Key: head, UpdateExpression: "SET seq = :next", ConditionExpression: "seq = :n", ExpressionAttributeValues: { ":n": { N: String(n) }, ":next": { N: String(n + 1) } } } },
            { Put: { TableName: tableName, Item: { pk, sk: { S: `message#${m.id}` }, content: { S: m.content }, createdAt: { S: m.createdAt }, authorId: { S: "u" } }, ConditionExpression: "attribute_not_exists(pk)" } },
            { Put: { TableName: tableName, Item: { pk, sk: { S: `change#${String(n + 1).padStart(12, "0")}` }, messageId: { S: m.id }, kind: { S: "created" } }, ConditionExpression: "attribute_not_exists(pk)" } },
          ],
        }),
      );
    });
    turn = commit.catch(() => {});
    await commit;
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

/** DynamoDB requests of one POST with the channel's subscribers listening: by operation, and how many waited on each other. */
async function costOfOnePost(rt: Runtime, target: Target) {
  const { dynamo } = rt.deps;
  // The subscribers changed since the last post (this round's closed): the first post queries the
  // lists again; the one measured is the next, as every post is until they change again.
  await target.post("cost probe warm-up", 0);
  for (const k of Object.keys(dynamo.counts)) delete dynamo.counts[k];
  dynamo.spans = [];
  await target.post("cost probe", 0);
  // Delivery goes on after the answer for large audiences; give the spans of this POST a moment to close.
  await new Promise((r) => setTimeout(r, 200));
  const spans = dynamo.spans;
  dynamo.spans = undefined;
  const ops = Object.entries(dynamo.counts).map(([op, n]) => `${op} ${n}`).join(", ");
  return { requests: spans.length, text: `${spans.length} requests (${ops}), ${sequentialRoundTrips(spans)} sequential` };
}

/**
 * How long DynamoDB Local takes for each kind of request while messages go one at a time (p50):
 * what a POST's latency is mostly made of. The first function is `measure`'s `onLatencyPhase`.
 */
function timeRequests(rt: Runtime): [(phase: "start" | "end") => void, () => string] {
  let spans: RequestSpan[] = [];
  const onPhase = (phase: "start" | "end") => {
    if (phase === "start") rt.deps.dynamo.spans = [];
    else [spans, rt.deps.dynamo.spans] = [rt.deps.dynamo.spans ?? [], undefined];
  };
  const summary = () => {
    const byOp = new Map<string, number[]>();
    for (const s of spans) byOp.set(s.op, [...(byOp.get(s.op) ?? []), s.end - s.start]);
    return [...byOp].map(([op, t]) => `${op} ${t.sort((x, y) => x - y)[t.length >> 1]!.toFixed(1)} ms`).join(", ");
  };
  return [onPhase, summary];
}

const ms = (x: number) => x.toFixed(1).padStart(7);
const rate = (x: number) => x.toFixed(0).padStart(7);
const times = (x: number) => `×${x.toFixed(1)}`.padStart(6);
const pct = (x: number) => `${(x * 100).toFixed(0)}%`.padStart(5);
const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");

/**
 * Issue 27's targets, as ratios to the guaranteed baseline in the same run; DynamoDB requests of a
 * send when nothing changed; the publisher's CPU per recipient (ms) against an endpoint that answers at once.
 */
const TARGETS = {
  p50: { 1: 1.5, 10: 1.5, 100: 3 } as Record<number, number>,
  throughputShare: { 1: 0.6, 10: 0.6 } as Record<number, number>,
  requestsPerSend: 2,
  cpuPerRecipient: 0.1,
};

async function main() {
  const { values: args } = parseArgs({ options: { soak: { type: "boolean", default: false } } });
  const began = performance.now();
  const load = () => loadavg()[0]!.toFixed(1);
  console.log(`ws fan-out benchmark — Node ${process.version}, ${cpus().length} CPU(s), load ${load()}, everything in one process on loopback`);
  const dynamo = await startDynamoLocal();
  const tableName = `bench_${Date.now()}`;
  // Without the search indexer and the push planner: deployed each is its own Lambda (the table's
  // stream, the push queue), not a part of a send; here they would share the send's two cores and
  // DynamoDB Local's JVM, working on every benchmark message (with the indexer a send took ×1.6–1.8
  // as long, with the planner ×1.5: docs/performance.md "Session 9", "Session 10"). What the
  // planner costs each message is measured on its own below.
  const rt = await startRuntime({ dynamoEndpoint: dynamo.endpoint, tableName, jwtSecret: randomBytes(32).toString("hex"), port: 0, usageLimits: "off", search: false, push: false });
  const bare = await startBaseline();
  const floor = await startBaseline(putMessage(rt, tableName));
  const guaranteed = await startBaseline(guaranteedSend(rt, tableName));
  try {
    const setup = await setUp(rt, MEMBERS);
    for (const [name, target] of [["agorusta", agorusta(rt, setup)], ["floor", baseline(floor)], ["bare", baseline(bare)], ["guaranteed", baseline(guaranteed)]] as const) {
      await warmUp(target, WARM_UP_MESSAGES, name);
    }
    console.log(`set up ${MEMBERS} members and warmed each target up with ${WARM_UP_MESSAGES} messages in ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
    const lines: string[] = [];
    if (args.soak) {
      const options = { clients: 50, senders: 5, messages: 300 };
      const rows: [string, SoakResult][] = [];
      const targets = [["agorusta", agorusta(rt, setup)], ["guaranteed", baseline(guaranteed)], ["floor", baseline(floor)], ["bare ws", baseline(bare)]] as const;
      for (const [name, target] of targets) {
        rows.push([name, await soak(target, { ...options, label: name })]);
        console.log(`soak ${name} measured (${((performance.now() - began) / 1000).toFixed(1)} s)`);
      }
      const g = rows[1]![1];
      const f = rows[2]![1];
      lines.push(
        "",
        `soak: ${options.clients} clients subscribed, ${options.senders} senders at once, ${options.messages} messages; send → delivered to all (ms)`,
        "",
        "target     |     p50     p99  msgs/s | ÷guaranteed p50   p99 msgs/s | ÷floor p50 msgs/s",
        "-----------+-------------------------+-----------------------------+------------------",
        ...rows.map(([name, r]) =>
          `${name.padEnd(10)} | ${ms(r.p50)} ${ms(r.p99)} ${rate(r.perSecond)} |          ${times(r.p50 / g.p50)} ${times(r.p99 / g.p99)} ${pct(r.perSecond / g.perSecond)} |` +
          `     ${times(r.p50 / f.p50)}  ${pct(r.perSecond / f.perSecond)}`,
        ),
      );
    } else {
      const rows: { n: number; a: Result; f: Result; b: Result; g: Result; cost: { requests: number; text: string } }[] = [];
      for (const n of SUBSCRIBERS) {
        const [timing, requestTimes] = timeRequests(rt);
        const a = await measure(agorusta(rt, setup), { subscribers: n, label: `agorusta ${n}`, ...plan(n), onLatencyPhase: timing });
        const [floorTiming, floorTimes] = timeRequests(rt);
        const f = await measure(baseline(floor), { subscribers: n, label: `floor ${n}`, ...plan(n), onLatencyPhase: floorTiming });
        const b = await measure(baseline(bare), { subscribers: n, label: `bare ${n}`, ...plan(n) });
        const g = await measure(baseline(guaranteed), { subscribers: n, label: `guaranteed ${n}`, ...plan(n) });
        const { requests, text } = await costOfOnePost(rt, agorusta(rt, setup));
        const cost = { requests, text: `${text}; one at a time, each took (p50) ${requestTimes()}; the floor's ${floorTimes()}` };
        rows.push({ n, a, f, b, g, cost });
        console.log(`${n} subscriber(s) measured (${((performance.now() - began) / 1000).toFixed(1)} s)`);
      }
      lines.push(
        "",
        `POST → delivered to every subscriber (ms); msgs/s with ${plan(1).senders} senders at once`,
        "",
        "subs |  agorusta p50    p99  msgs/s |  floor p50    p99  msgs/s |  bare p50    p99  msgs/s | ÷floor p50   p99 msgs/s | ÷bare p50   p99 msgs/s",
        "-----+------------------------------+---------------------------+--------------------------+------------------------+-----------------------",
        ...rows.map(({ n, a, f, b }) =>
          `${String(n).padStart(4)} |  ${ms(a.p50)} ${ms(a.p99)} ${rate(a.perSecond)} | ${ms(f.p50)} ${ms(f.p99)} ${rate(f.perSecond)} |` +
          ` ${ms(b.p50)} ${ms(b.p99)} ${rate(b.perSecond)} |  ${times(a.p50 / f.p50)} ${times(a.p99 / f.p99)} ${pct(a.perSecond / f.perSecond)} |` +
          ` ${times(a.p50 / b.p50)} ${times(a.p99 / b.p99)} ${pct(a.perSecond / b.perSecond)}`,
        ),
        "",
        "÷floor, ÷bare: Agorusta's latency as a multiple of the baseline's; msgs/s as a share of it.",
        ...rows.map(({ n, a, cost }) => `${n} subscriber(s): POST answered at p50 ${a.postP50.toFixed(1)} ms; DynamoDB per POST: ${cost.text}`),
        "",
        "against the floor of Agorusta's guarantees (an authorization BatchGet of 3, a gap-free TransactWrite of 3, then each socket):",
        "",
        "subs | guaranteed p50    p99  msgs/s | its ÷floor p50 msgs/s | agorusta ÷ it p50   p99 msgs/s",
        "-----+--------------------------------+-----------------------+------------------------------",
        ...rows.map(({ n, a, f, g }) =>
          `${String(n).padStart(4)} |    ${ms(g.p50)} ${ms(g.p99)} ${rate(g.perSecond)} |        ${times(g.p50 / f.p50)}  ${pct(g.perSecond / f.perSecond)} |` +
          `           ${times(a.p50 / g.p50)} ${times(a.p99 / g.p99)} ${pct(a.perSecond / g.perSecond)}`,
        ),
      );
      console.log(`measuring the publisher's CPU per recipient (${((performance.now() - began) / 1000).toFixed(1)} s)`);
      const cpu = await publisherCpu();
      const us = (x: number) => `${(x * 1000).toFixed(0)} µs`;
      const history = await fetch(`${rt.url}/api/servers/${setup.serverId}/channels/${setup.channelId}/messages?limit=100`, { headers: { authorization: `Bearer ${setup.owner}` } }).then(json);
      const planner = await pushPlannerCost({ dynamoEndpoint: dynamo.endpoint, tableName, serverId: setup.serverId, channelId: setup.channelId }, history.map((m: { id: string }) => m.id));
      lines.push(
        "",
        `publisher's CPU per recipient (process.cpuUsage around the real publisher, through the SDK, posting 100 recipients an event to an endpoint in another process that answers 200 at once): ${us(cpu.perRecipient)}`,
        `  in the same run: a plain http.request of the same body ${us(cpu.floors.plainHttp)}, SigV4 signing alone ${us(cpu.floors.signing)}, ` +
          `one SDK PostToConnection with no HTTP at all ${us(cpu.floors.sdkWithoutHttp)}; the least one post through the SDK can cost is the sum of the last two and a plain post: ${us(cpu.floors.plainHttp + cpu.floors.sdkWithoutHttp)}`,
        `push planner per channel message (deliverPush, as the push queue's Lambda runs it deployed; not part of the send, ${MEMBERS + 1} members, nobody asking for every message): ` +
          `${planner.cpu.toFixed(2)} ms of CPU, DynamoDB ${Object.entries(planner.requests).map(([op, n]) => `${op} ${n.toFixed(1)}`).join(", ")} (${planner.messages} messages)`,
        "",
        "issue 27's targets (against the guaranteed baseline, same run):",
        ...rows.flatMap(({ n, a, g }) => [
          ...(TARGETS.p50[n] ? [`  p50 at ${String(n).padStart(3)} ≤ ×${TARGETS.p50[n]}: ${times(a.p50 / g.p50).trim()} ${mark(a.p50 / g.p50 <= TARGETS.p50[n]!)}`] : []),
          ...(TARGETS.throughputShare[n] ? [`  msgs/s at ${String(n).padStart(3)} ≥ ${TARGETS.throughputShare[n]! * 100}%: ${pct(a.perSecond / g.perSecond).trim()} ${mark(a.perSecond / g.perSecond >= TARGETS.throughputShare[n]!)}`] : []),
        ]),
        ...rows.map(({ n, cost }) => `  DynamoDB requests per send at ${String(n).padStart(3)}, roles and overwrites in place, nothing changed = ${TARGETS.requestsPerSend}: ${cost.requests} ${mark(cost.requests === TARGETS.requestsPerSend)}`),
        `  publisher CPU per recipient ≤ ${TARGETS.cpuPerRecipient} ms: ${(cpu.perRecipient).toFixed(3)} ms ${mark(cpu.perRecipient <= TARGETS.cpuPerRecipient)}`,
      );
    }
    lines.push(
      `one DynamoDB Local round trip (GetItem): p50 ${(await dynamoRoundTrip(rt)).toFixed(1)} ms`,
      `total ${((performance.now() - began) / 1000).toFixed(1)} s, load ${load()}`,
    );
    console.log(lines.join("\n"));
  } finally {
    await floor.close();
    await bare.close();
    await guaranteed.close();
    await rt.close();
    await dynamo.stop();
  }
}

if (import.meta.main) main().catch((e) => {
  console.error(e);
  process.exit(1);
});
