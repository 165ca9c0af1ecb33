/**
 * `npm run bench:search`: message search (docs/search.md) over one server's history of
 * deterministic pseudo-English (a seeded PRNG: Zipf-distributed words, some URLs, file names and
 * mentions, spread over a year), in DynamoDB Local. Prints what indexing costs (DynamoDB requests
 * and write units per message) and search p50/p95 for one word, a prefix, two words, a phrase and
 * a filter-only search, beside a baseline that reads the channel's messages newest first and
 * filters them in this process (stopping, like search, once a page of 25 is full), at each size
 * (`-- --sizes 10000,100000`, the default). The search is core's `searchScope` (the route adds
 * its permission reads: a member GetItem, the roles GetItem and one Query of the channels).
 *
 * Each size has a table of its own (its year of messages), without a stream. Its postings are
 * the indexer's own (`postingsOf`), bulk-loaded in BatchWriteItems; a sample of the messages
 * (`-- --sample 1000`) is indexed through `applyChange` instead, and the indexing cost printed is
 * that sample's. DynamoDB Local spends about half a millisecond of CPU on each item written,
 * so 100,000 messages (3.1 million postings) still take a while to load on a small machine:
 * the tables are kept in `.data/bench-search/` (or `-- --dir DIR`; on a tmpfs such as /dev/shm
 * DynamoDB Local's SQLite does not sync to disk) with what is loaded, a run stopped half-way
 * resumes the load, and a later run only searches (`-- --fresh` starts over).
 */
import { parseArgs } from "node:util";
import { execFileSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { monotonicFactory } from "ulid";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createDb, createDynamoClients, ensureTable, localDynamoConfig, type Db } from "@agorusta/core";
import type { MessageItem } from "@agorusta/core/model";
import { putEach } from "@agorusta/core/store";
import { applyChange, BACKFILL, matchesAll, messageWords, parseQuery, postingKey, postingsOf, scopeReader, searchScope, type IndexedMessage, type Posting } from "@agorusta/core/search";
import { startDynamoLocal } from "@agorusta/local/dynamoLocal";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    runs: { type: "string", default: "20" },
    concurrency: { type: "string", default: "8" },
    sample: { type: "string", default: "1000" },
    fresh: { type: "boolean", default: false },
    // Where the tables are kept: a tmpfs (`/dev/shm/...`) spares DynamoDB Local's SQLite its disk syncs.
    dir: { type: "string", default: ".data/bench-search" },
  },
});
const SIZES = values.sizes.split(",").map(Number);
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
const PAGE = 25;
/** Messages stored and indexed between two saves of how far the load got. */
const CHUNK = 10_000;
/** About how many messages per size are indexed through the indexer's path (the rest bulk-loaded). */
const SAMPLE = Number(values.sample);
const DIR = values.dir;
const META = join(DIR, "meta.json");

/** mulberry32: the same text on every run. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let random = prng(24);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

/** A size's server, channel and 40 authors: made at its first load, kept with it (`Loaded.ids`). */
interface Ids {
  server: string;
  channel: string;
  authors: string[];
}
let SERVER = "";
let CHANNEL = "";
let AUTHORS: { id: string; name: string }[] = [];
function useIds(ids: Ids) {
  ({ server: SERVER, channel: CHANNEL } = ids);
  AUTHORS = ids.authors.map((id, i) => ({ id, name: `member${i}` }));
}

const SYLLABLES = ["ta", "ro", "mi", "ne", "ka", "lo", "pe", "ri", "su", "da", "ven", "tor", "mal", "is", "per", "con", "ex", "ant", "ble", "tion", "er", "ly", "ment", "al"];
/** 5,000 words; word i is drawn with weight 1/(i+1) (Zipf), so a few are everywhere and most are rare. */
const VOCABULARY = [...new Set(Array.from({ length: 9000 }, () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(SYLLABLES)).join("")))].slice(0, 5000);
const CUMULATIVE = (() => {
  let sum = 0;
  return VOCABULARY.map((_, i) => (sum += 1 / (i + 1)));
})();
function word(): string {
  const x = random() * CUMULATIVE.at(-1)!;
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CUMULATIVE[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return VOCABULARY[lo]!;
}

const YEAR_MS = 365 * 86_400_000;

/** What is loaded in `.data/bench-search`, by size, and how much its indexing cost. */
interface Loaded {
  ids?: Ids;
  /** Messages stored with their postings. */
  indexed: number;
  /** Of which indexed through `applyChange`: the indexing cost below is theirs. */
  sampled: number;
  requests: number;
  wru: number;
  postings: number;
  seconds: number;
}
interface Meta {
  /** The index's version (the backfill marker's name): another version's tables are loaded again. */
  version: string;
  /** The first message's time: the same messages, ids and all, on every run. */
  start: number;
  sizes: Record<string, Loaded>;
}

function readMeta(): Meta {
  if (!values.fresh && existsSync(META)) {
    const meta = JSON.parse(readFileSync(META, "utf8")) as Meta;
    if (meta.version === BACKFILL) return meta;
  }
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  return { version: BACKFILL, start: Date.now() - YEAR_MS, sizes: {} };
}
const META_NOW = readMeta();
const START = META_NOW.start;
const saveMeta = () => writeFileSync(META, JSON.stringify(META_NOW, null, 2));

/** A size's messages, the same on every run: spread over the year before the first run. */
function messages(size: number): MessageItem[] {
  random = prng(size);
  const id = monotonicFactory(prng(size + 1));
  return Array.from({ length: size }, (_, i) => message(i, size, id));
}

function message(i: number, total: number, ulid: (time: number) => string): MessageItem {
  const author = pick(AUTHORS);
  const words = Array.from({ length: 4 + Math.floor(random() * 16) }, word);
  const r = random();
  if (r < 0.05) words.push(`https://${word()}.example.com/${word()}/${word()}`);
  else if (r < 0.1) words.push(`${word()}-${word()}.${pick(["pdf", "png", "zip", "txt"])}`);
  const mentioned = random() < 0.02 ? [pick(AUTHORS).id] : [];
  return {
    serverId: SERVER,
    channelId: CHANNEL,
    messageId: ulid(START + Math.floor((i / total) * YEAR_MS)),
    authorId: author.id,
    authorUsername: author.name,
    authorCreatedAt: new Date(START).toISOString(),
    content: words.join(" "),
    createdAt: new Date().toISOString(),
    revision: 1,
    mentions: mentioned,
    mentionsEveryone: false,
  };
}

/** DynamoDB's item size: names and values in UTF-8 (close enough for strings, lists and maps of strings). */
const itemBytes = (item: Record<string, unknown>) => Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v ?? "")), 0);

/** Runs `work` over `items` with `concurrency` of them in flight (DynamoDB Local gets busier, not the event loop). */
async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

const uptime = () => execFileSync("uptime", { encoding: "utf8" }).trim();

/** Items read (a Query's or a BatchGetItem's), counted by a middleware on the bench's client: `READ.items`. */
const READ = { items: 0 };
function countItemsRead(client: DynamoDBClient) {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const out = result.output as { Items?: unknown[]; Responses?: Record<string, unknown[]> };
      READ.items += (out.Items?.length ?? 0) + Object.values(out.Responses ?? {}).reduce((n, r) => n + r.length, 0);
      return result;
    },
    { step: "initialize", name: "benchItemsRead" },
  );
}

const requestsSince = (counts: Record<string, number>, before: Record<string, number>) => Object.entries(counts).reduce((n, [op, c]) => n + c - (before[op] ?? 0), 0);

/**
 * Stores a size's messages and their postings. Indexing every message through the indexer's path
 * one message at a time is hours of DynamoDB Local at 100,000 messages, so most are bulk-loaded:
 * the messages, then their postings as the indexer's own `postingsOf` computes them, in
 * BatchWriteItems of 25, `CONCURRENCY` in flight. A sample (every `stride`-th message, `--sample`
 * of them) is indexed instead through `applyChange`, as the stream Lambda applies a new message's
 * record, and only its requests, postings and write units are counted: the cost per message.
 * `CHUNK` messages at a time, saving how far it got.
 */
async function load(db: Db, counts: Record<string, number>, size: number): Promise<Loaded> {
  const loaded = (META_NOW.sizes[size] ??= { indexed: 0, sampled: 0, requests: 0, wru: 0, postings: 0, seconds: 0 });
  if (!loaded.ids) {
    const id = monotonicFactory(prng(1));
    loaded.ids = loaded.indexed ? await idsOfTable(db) : { server: id(START), channel: id(START), authors: Array.from({ length: 40 }, () => id(START)) };
    saveMeta();
  }
  useIds(loaded.ids);
  if (loaded.indexed >= size) return loaded;
  const all = messages(size);
  const stride = Math.max(1, Math.floor(size / SAMPLE));
  const sampled = (i: number) => i % stride === 0;
  const postings = db.entities.searchPostings;
  // Write units counted from the postings the sample writes, as DynamoDB sizes them (the stored
  // item, key attributes and all, in KB rounded up): put BatchWriteItem's items through a recorder.
  const put = postings.put.bind(postings);
  const recorded = ((records: unknown) => {
    for (const p of [records].flat() as Posting[]) {
      loaded.wru += Math.ceil(itemBytes(put(p).params<{ Item: Record<string, unknown> }>().Item) / 1024);
      loaded.postings++;
    }
    return put(records as never);
  }) as never;
  const scopes = scopeReader(db);
  while (loaded.indexed < size) {
    const t0 = performance.now();
    const first = loaded.indexed;
    const items = all.slice(first, first + CHUNK);
    await putAll(items, (ms) => db.entities.messages.put(ms).go(), (m) => (m as MessageItem).messageId);
    const bulk = items.filter((_, i) => !sampled(first + i)).flatMap((m) => postingsOf(m, m.channelId, [m.serverId]));
    await putAll(bulk, (ps) => postings.put(ps).go(), (p) => postingKey(p as Posting));
    const sample = items.filter((_, i) => sampled(first + i));
    const before = { ...counts };
    (postings as { put: unknown }).put = recorded;
    try {
      await pool(sample, CONCURRENCY, (m) => applyChange(db, null, { ...m, __edb_e__: "message" }, scopes));
    } finally {
      (postings as { put: unknown }).put = put;
    }
    loaded.requests += requestsSince(counts, before);
    loaded.sampled += sample.length;
    loaded.indexed += items.length;
    loaded.seconds += (performance.now() - t0) / 1000;
    saveMeta();
    console.log(`  ${size}: ${loaded.indexed} messages stored and indexed (${loaded.sampled} through the indexer) in ${loaded.seconds.toFixed(0)} s; load ${loadavg()[0]!.toFixed(1)}`);
  }
  return loaded;
}

/**
 * Items in BatchWriteItems of 25, `CONCURRENCY` in flight, each retried until written (ElectroDB
 * gives back what DynamoDB left unprocessed as keys: the items are found again by `key`).
 */
async function putAll<T>(items: T[], write: (items: T[]) => Promise<{ unprocessed: unknown[] }>, key: (item: unknown) => string) {
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) => items.slice(i * 25, i * 25 + 25));
  await pool(batches, CONCURRENCY, (batch) => putEach(batch, async (part) => {
    const byKey = new Map(part.map((item) => [key(item), item]));
    const { unprocessed } = await write(part);
    return { unprocessed: unprocessed.map((k) => byKey.get(key(k))!) };
  }));
}

/**
 * The ids of a table loaded before they were kept in meta.json: its messages' server and channel,
 * and its authors in the order they were made (ULIDs made one after another sort in that order).
 */
async function idsOfTable(db: Db): Promise<Ids> {
  const page = await db.entities.messages.query.byChannel({ channelId: (await firstMessage(db)).channelId }).go({ limit: 4000 });
  const first = page.data[0]!;
  const authors = [...new Set(page.data.map((m) => m.authorId))].sort();
  if (authors.length !== 40) throw new Error(`${DIR}: cannot tell this table's authors; run again with --fresh`);
  return { server: first.serverId, channel: first.channelId, authors };
}

/** One stored message, to learn its channel: a Scan in 1 MB pages (this is no request path; the app's client refuses Scans). */
async function firstMessage(db: Db): Promise<MessageItem> {
  let start: Record<string, unknown> | undefined;
  for (;;) {
    const page = await SCANNER!.send(new ScanCommand({ TableName: db.entities.messages.getTableName(), ExclusiveStartKey: start, FilterExpression: "#e = :m", ExpressionAttributeNames: { "#e": "__edb_e__" }, ExpressionAttributeValues: { ":m": "message" } }));
    if (page.Items?.length) return page.Items[0] as MessageItem;
    start = page.LastEvaluatedKey;
    if (!start) throw new Error(`${DIR}: no message in the table; run again with --fresh`);
  }
}
let SCANNER: DynamoDBDocumentClient | undefined;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** p50 and p95 of `times` runs after one untimed run (connections opened, code compiled), and the requests each made. */
async function timed(counts: Record<string, number>, run: (i: number) => Promise<unknown>, times: number): Promise<{ p50: number; p95: number; requests: number; items: number }> {
  await run(times);
  const before = { ...counts };
  const itemsBefore = READ.items;
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await run(i);
    ms.push(performance.now() - t0);
  }
  return { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), requests: requestsSince(counts, before) / times, items: (READ.items - itemsBefore) / times };
}

/** The baseline: the channel newest first, 1 MB Query pages, filtered here, until a page of matches. */
async function baseline(db: Db, q: string | undefined, mentions?: string) {
  const clauses = q ? parseQuery(q) : [];
  const found: IndexedMessage[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: MessageItem[]; cursor: string | null } = await db.entities.messages.query.byChannel({ channelId: CHANNEL }).go({ order: "desc", cursor });
    for (const m of page.data) {
      if (mentions && !m.mentions.includes(mentions)) continue;
      if (matchesAll(clauses, messageWords(m)) && found.push(m) >= PAGE) return found;
    }
    cursor = page.cursor;
  } while (cursor);
  return found;
}

const search = (db: Db, q: string | undefined, mentions?: string) =>
  searchScope(db, {
    scope: SERVER,
    since: START,
    readable: () => true,
    load: (postings) => db.entities.messages.get(postings.map((p) => ({ channelId: CHANNEL, messageId: p.messageId }))).go().then((r) => r.data),
    conversationOf: (m: MessageItem) => m.channelId,
  }, { q, mentions, limit: PAGE });

type Timed = Awaited<ReturnType<typeof timed>>;
const SUMMARY: Record<string, { size: number; index: Timed; baseline: Timed }[]> = {};

async function main() {
  const dynamo = await startDynamoLocal({ dataDir: DIR });
  try {
    const clients = createDynamoClients(localDynamoConfig(dynamo.endpoint));
    countItemsRead(clients.raw);
    SCANNER = DynamoDBDocumentClient.from(new DynamoDBClient(localDynamoConfig(dynamo.endpoint)));
    // A mid-frequency word (in a few % of messages) typed whole, the first four letters of a rare
    // one, the two together, two words next to each other in a stored message, a mention.
    // One more of each than RUNS: the untimed first run.
    const mid = VOCABULARY.slice(50, 51 + RUNS);
    const rare = VOCABULARY.slice(2000, 2001 + RUNS);
    const queries: Record<string, (i: number, all: MessageItem[]) => { q?: string; mentions?: string }> = {
      "one word": (i) => ({ q: `${mid[i]} ` }),
      prefix: (i) => ({ q: rare[i]!.slice(0, 4) }),
      "two words": (i) => ({ q: `${mid[i]} ${rare[i]} ` }),
      phrase: (i, all) => ({ q: `"${all[(i * 7919) % all.length]!.content.split(" ").slice(1, 3).join(" ")}"` }),
      "filter only (mentions)": (i) => ({ mentions: AUTHORS[i % AUTHORS.length]!.id }),
    };
    console.log(`search bench: one channel with a year of messages per size, ${RUNS} searches of each kind per size (baseline: ${Math.min(RUNS, 5)}), indexing ${CONCURRENCY} messages at a time, tables kept in ${DIR}`);
    console.log(`machine: ${cpus().length} cores, uptime: ${uptime()}`);
    for (const size of SIZES) {
      const table = `bench-${size}`;
      // No stream: the bench applies the indexer itself, and a stream would double every write.
      await ensureTable(clients.raw, table, { stream: false });
      const db = createDb(clients.document, table);
      const was = META_NOW.sizes[size]?.indexed ?? 0;
      if (was < size) console.log(`\n${size} messages: loading${was ? ` (resuming after ${was})` : ""}`);
      const cost = await load(db, clients.counts, size);
      const all = messages(size);
      console.log(`\n${size} messages (loaded in ${cost.seconds.toFixed(0)} s${was >= size ? " by an earlier run" : ""}): indexing (a sample of ${cost.sampled} through applyChange) ${(cost.requests / cost.sampled).toFixed(2)} requests, ${(cost.postings / cost.sampled).toFixed(1)} postings and ${(cost.wru / cost.sampled).toFixed(1)} WRU per message; load ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
      console.log("| search | index p50 | index p95 | requests per search | items read per search | baseline p50 | baseline p95 | baseline items read | p95 ratio | p50 ratio |");
      console.log("|---|---|---|---|---|---|---|---|---|---|");
      for (const [name, make] of Object.entries(queries)) {
        const indexed = await timed(clients.counts, (i) => search(db, make(i, all).q, make(i, all).mentions), RUNS);
        // Fewer baseline runs: each may read the whole channel.
        const base = await timed(clients.counts, (i) => baseline(db, make(i, all).q, make(i, all).mentions), Math.min(RUNS, 5));
        const f = (ms: number) => `${ms.toFixed(1)} ms`;
        console.log(`| ${name} | ${f(indexed.p50)} | ${f(indexed.p95)} | ${indexed.requests.toFixed(1)} | ${indexed.items.toFixed(0)} | ${f(base.p50)} | ${f(base.p95)} | ${base.items.toFixed(0)} | ${((100 * indexed.p95) / base.p95).toFixed(1)}% | ${((100 * indexed.p50) / base.p50).toFixed(1)}% |`);
        (SUMMARY[name] ??= []).push({ size, index: indexed, baseline: base });
      }
      console.log(`(load after: ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
    }
    if (SIZES.length > 1) {
      // How search time grows with the message count, beside how the count grew.
      const [small, large] = [SIZES[0]!, SIZES.at(-1)!];
      console.log(`\nFrom ${small} to ${large} messages (${(large / small).toFixed(0)}× as many): how each grew`);
      console.log("| search | index p50 | index p95 | index items read | baseline p50 | baseline items read |");
      console.log("|---|---|---|---|---|---|");
      const x = (a: number, b: number) => `${(b / a).toFixed(2)}×`;
      for (const [name, rows] of Object.entries(SUMMARY)) {
        const [a, b] = [rows[0]!, rows.at(-1)!];
        console.log(`| ${name} | ${x(a.index.p50, b.index.p50)} | ${x(a.index.p95, b.index.p95)} | ${x(a.index.items, b.index.items)} | ${x(a.baseline.p50, b.baseline.p50)} | ${x(a.baseline.items, b.baseline.items)} |`);
      }
    }
  } finally {
    await dynamo.stop();
  }
}

await main();
