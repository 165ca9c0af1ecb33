/**
 * `npm run bench:hot`: one hot channel. 16 independent writers send into ONE channel at once,
 * beside 1 writer alone, on DynamoDB Local (in memory). Each writer is what a Lambda instance
 * would be: its own DynamoDB client and its own `Db` (core's `createDb`), so they share no
 * in-process state (the change feed's per-process turns, feed.ts, are keyed by `Db`) and settle
 * who takes each position only through the sequence condition in DynamoDB.
 *
 * Prints, for 1 and 16 writers: messages/s, TransactWriteItems attempts per committed message
 * (failed ones included), GetItem re-reads of the head per message, and p50/p99 of one send;
 * then checks the feed's positions are exactly 1..n after every run. The same is measured in the
 * same run of the design before (core's sources at commit BEFORE, taken from git into
 * `.data/bench-hot/`), so the ratio of the 16-writer rates is of one machine under one load:
 * PASS when ≥ 3×. Writers send one message after another for `-- --seconds N` (30) per design
 * and number of writers. What the figures mean: docs/performance.md "Hot channels".
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createDb, createDynamoClients, ensureTable, localDynamoConfig, type Db, type DynamoClients } from "@agorusta/core";
import type { UserItem } from "@agorusta/core/model";
import { newId } from "@agorusta/core/store";
import { addMember, createServer } from "@agorusta/core/servers";
import * as conversations from "@agorusta/core/conversations";
import { unlinkedFileStore } from "@agorusta/core/attachments";
import { startDynamoLocal } from "@agorusta/local/dynamoLocal";

const { values } = parseArgs({ options: { seconds: { type: "string", default: "30" } } });
const SECONDS = Number(values.seconds);
const HOT_WRITERS = 16;
const TARGET_RATIO = 3;
/** The last commit of the design before (every writer re-read the head after losing the race, and backed off blindly). */
const BEFORE = "6d3e7de0ba3d19c883832c2b00508e2cbcb43816";

/** A design under test: core's `createDb` and conversations of one version of the sources. */
interface Design {
  name: string;
  createDb: typeof createDb;
  conversations: typeof conversations;
}

/** Core's sources at BEFORE, beside the repository's packages (npm modules resolve from the root). */
async function before(): Promise<Design> {
  const root = new URL("../../", import.meta.url).pathname;
  const dir = `${root}.data/bench-hot/${BEFORE.slice(0, 12)}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync("git", ["-C", root, "archive", BEFORE, "packages/core/src"]);
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  return {
    name: `before (${BEFORE.slice(0, 7)})`,
    createDb: (await import(`${dir}/packages/core/src/index.ts`)).createDb,
    conversations: await import(`${dir}/packages/core/src/conversations/index.ts`),
  };
}

const now: Design = { name: "now", createDb, conversations };

interface Figures {
  writers: number;
  messages: number;
  perSecond: number;
  transactionsPerMessage: number;
  rereadsPerMessage: number;
  p50: number;
  p99: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function user(db: Db, name: string): Promise<UserItem> {
  const item: UserItem = {
    userId: newId(),
    username: name,
    usernameLower: name,
    usernameInitial: name.slice(0, 1),
    email: `${name}@example.com`,
    passwordHash: "not a hash: this user never logs in",
    createdAt: new Date().toISOString(),
  };
  await db.entities.users.create(item).go();
  return item;
}

/** A channel with `writers` members besides its owner, in a table of its own. */
async function setUp(endpoint: string, writers: number) {
  const dynamo = createDynamoClients(localDynamoConfig(endpoint));
  const table = `hot_${randomBytes(4).toString("hex")}`;
  await ensureTable(dynamo.raw, table, { stream: false });
  const db = createDb(dynamo.document, table);
  const run = randomBytes(3).toString("hex");
  const owner = await user(db, `o${run}`);
  const server = await createServer(db, owner, "hot");
  const { data: channels } = await db.entities.channels.query.byServer({ serverId: server.id }).go();
  const serverItem = (await db.entities.servers.get({ serverId: server.id }).go()).data!;
  const members = await Promise.all(
    Array.from({ length: writers }, async (_, i) => {
      const member = await user(db, `w${run}${i}`);
      await addMember(db, serverItem, member);
      return member.userId;
    }),
  );
  return { db, table, serverId: server.id, channelId: channels[0]!.channelId, members };
}

/** What one run counted. */
interface Run {
  writers: number;
  seconds: number;
  /** Messages committed by the deadline (those in flight then are waited for, not counted). */
  counted: number;
  latencies: number[];
  transactions: number;
  rereads: number;
}

/** `writers` independent writers sending into the channel at once, one message after another, for `seconds`. */
async function hot(design: Design, endpoint: string, writers: number, seconds: number): Promise<Run> {
  const s = await setUp(endpoint, writers);
  const lambdas = s.members.map((userId) => {
    const dynamo: DynamoClients = createDynamoClients(localDynamoConfig(endpoint));
    return { userId, dynamo, db: design.createDb(dynamo.document, s.table) };
  });
  const { sendMessage, channel } = design.conversations;
  const send = (w: (typeof lambdas)[number], content: string) =>
    sendMessage({ db: w.db, files: unlinkedFileStore }, channel, { serverId: s.serverId, channelId: s.channelId }, { userId: w.userId, content });
  // Each client's connection made and the JVM's paths warm before the clock starts.
  await Promise.all(lambdas.map((w) => send(w, "warm-up")));
  const before = lambdas.map((w) => ({ ...w.dynamo.counts }));
  const latencies: number[] = [];
  let counted = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  // Every writer sends one message after another until the deadline; what committed by then counts.
  await Promise.all(
    lambdas.map(async (w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t = performance.now();
        await send(w, `message ${i} from ${w.userId.slice(-4)}`);
        const done = performance.now();
        latencies.push(done - t);
        if (done <= deadline) counted++;
      }
    }),
  );
  const delta = (op: string) => lambdas.reduce((sum, w, i) => sum + (w.dynamo.counts[op] ?? 0) - (before[i]![op] ?? 0), 0);
  await checkGapFree(s.db, s.channelId, latencies.length + writers);
  return { writers, seconds, counted, latencies, transactions: delta("TransactWriteItems"), rereads: delta("GetItem") };
}

/** Runs of one design and number of writers, taken together. */
function figuresOf(runs: Run[]): Figures {
  const sum = (f: (r: Run) => number) => runs.reduce((total, r) => total + f(r), 0);
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    writers: runs[0]!.writers,
    messages: latencies.length,
    perSecond: sum((r) => r.counted) / sum((r) => r.seconds),
    transactionsPerMessage: sum((r) => r.transactions) / latencies.length,
    rereadsPerMessage: sum((r) => r.rereads) / latencies.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

/** The guarantee, checked on what the run left: positions exactly 1..n, one per message sent. */
async function checkGapFree(db: Db, channelId: string, expected: number) {
  const seqs: number[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: { seq: number }[]; cursor: string | null } = await db.entities.changes.query
      .byConversation({ conversationId: channelId })
      .go({ cursor, consistent: true, attributes: ["seq"] });
    seqs.push(...page.data.map((c) => c.seq));
    cursor = page.cursor;
  } while (cursor);
  const gapFree = seqs.length === expected && seqs.every((seq, i) => seq === i + 1);
  if (!gapFree) throw new Error(`positions are not 1..${expected}: ${seqs.length} changes, first break at ${seqs.findIndex((seq, i) => seq !== i + 1)}`);
}

const fmt = (design: Design, f: Figures) =>
  `${design.name.padEnd(18)} ${String(f.writers).padStart(2)} writer${f.writers > 1 ? "s" : " "}  ${String(f.messages).padStart(4)} messages  ` +
  `${f.perSecond.toFixed(1).padStart(6)} msg/s  ${f.transactionsPerMessage.toFixed(2)} transactions/msg  ` +
  `${f.rereadsPerMessage.toFixed(2)} GetItem/msg  p50 ${f.p50.toFixed(1)} ms  p99 ${f.p99.toFixed(1)} ms`;

const dynamoLocal = await startDynamoLocal();
try {
  const old = await before();
  console.log(`hot channel: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, ${SECONDS} s per design and number of writers (two runs of ${SECONDS / 2} s, A B B A), after a warm-up`);
  // DynamoDB Local's JVM speeds up for a while after it starts: whatever ran first would lose.
  await hot(now, dynamoLocal.endpoint, 4, SECONDS / 2);
  const figures = new Map<string, Figures>();
  for (const writers of [1, HOT_WRITERS]) {
    // Each design twice, in the order A B B A, half the time each: a drift in the machine's load weighs on both alike.
    const runs = new Map<Design, Run[]>([[now, []], [old, []]]);
    for (const design of [now, old, old, now]) runs.get(design)!.push(await hot(design, dynamoLocal.endpoint, writers, SECONDS / 2));
    for (const [design, of] of runs) {
      const f = figuresOf(of);
      figures.set(`${design.name}/${writers}`, f);
      console.log(fmt(design, f));
    }
  }
  console.log("positions gap-free (exactly 1..n) after every run");
  const ratio = figures.get(`${now.name}/${HOT_WRITERS}`)!.perSecond / figures.get(`${old.name}/${HOT_WRITERS}`)!.perSecond;
  console.log(`${HOT_WRITERS} writers, now / before: ×${ratio.toFixed(2)} messages/s (target ≥ ×${TARGET_RATIO}): ${ratio >= TARGET_RATIO ? "PASS" : "FAIL"}`);
  console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
} finally {
  await dynamoLocal.stop();
}
