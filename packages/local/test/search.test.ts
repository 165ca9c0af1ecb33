/**
 * Search (api.md "Search", issue 24) end to end: the REST app in process, DynamoDB Local's stream
 * read by the local indexer (src/searchWorker.ts) as `npm start` runs it. A test waits for the
 * indexer with `caughtUp()` (every record written before the call applied), except the freshness
 * tests, which poll as a client would, within the contract's 5 seconds.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { testApiWithServer, type TestApi, type TestServer, type TestUser } from "@agorusta/testing";
import { createDb, createDynamoClients, ensureTable, localDynamoConfig, type Db } from "@agorusta/core";
import { BACKFILL, backfill, bucketOf } from "@agorusta/core/search";
import { PERMISSIONS } from "@agorusta/core/permissions";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startSearchWorker, type SearchWorker } from "../src/searchWorker.ts";

let t: TestApi;
let s: TestServer;
let author: TestUser;
let reader: TestUser;
let db: Db;
let worker: SearchWorker;
let tableName: string;
const dynamoConfig = () => localDynamoConfig(inject("dynamoEndpoint"));

function startWorker(): SearchWorker {
  const dynamo = createDynamoClients(dynamoConfig());
  return startSearchWorker({ db, dynamo, dynamoConfig: dynamoConfig(), tableName: tableName, idleMs: 50 });
}

beforeAll(async () => {
  ({ t, s } = await testApiWithServer());
  tableName = t.deps.db.entities.messages.getTableName()!;
  // The test harness makes its tables without a stream; this one is indexed, as `npm start`'s is.
  await ensureTable(createDynamoClients(dynamoConfig()).raw, tableName);
  db = createDb(createDynamoClients(dynamoConfig()).document, tableName);
  worker = startWorker();
  author = await t.member(s);
  reader = await t.member(s);
});
afterAll(() => worker.close());

const channelPath = (channelId = s.channelId) => `/servers/${s.id}/channels/${channelId}/messages`;
async function post(content: string, channelId = s.channelId, who = author): Promise<{ id: string; content: string }> {
  let res = await t.call("POST", channelPath(channelId), { token: who.token, body: { content } });
  // These tests post many messages quickly: on a fast run the sender's rate limit answers 429; wait as a client would.
  while (res.status === 429) {
    await new Promise((r) => setTimeout(r, 1000 * (Number(res.body.error?.retryAfter) || 1)));
    res = await t.call("POST", channelPath(channelId), { token: who.token, body: { content } });
  }
  expect(res.status).toBe(201);
  return res.body;
}
const search = (query: string, who = reader, serverId = s.id) => t.call("GET", `/servers/${serverId}/messages/search?${query}`, { token: who.token });
const ids = (res: { body: { messages: { id: string }[] } }) => res.body.messages.map((m) => m.id);
/** The ids the search finds, after the indexer has applied everything written so far. */
async function found(query: string, who = reader): Promise<string[]> {
  await worker.caughtUp();
  const res = await search(query, who);
  expect(res.status).toBe(200);
  return ids(res);
}
/** A word no other test uses, so each test's searches see only its own messages. */
let n = 0;
const tag = () => `tag${Date.now().toString(36)}x${n++}`;

describe("matching", () => {
  it("finds every word without case or accents, the last word as a prefix, in any order", async () => {
    const k = tag();
    const a = await post(`${k} Permissions are tricky in the Café`);
    const b = await post(`${k} STRASSE und Straße`);
    await post(`${k} nothing here`);
    expect(await found(`q=${k} perm`)).toEqual([a.id]);
    expect(await found(`q=${k} cafe`)).toEqual([a.id]);
    expect(await found(`q=${encodeURIComponent(`${k} CAFÉ tricky`)}`)).toEqual([a.id]);
    expect(await found(`q=tricky ${k}`)).toEqual([a.id]);
    expect(await found(`q=${encodeURIComponent(`${k} straße`)}`)).toEqual([b.id]);
    // A word not last matches whole unless it ends in `*`.
    expect(await found(`q=perm ${k}`)).toEqual([]);
    expect(await found(`q=${encodeURIComponent(`perm* ${k}`)}`)).toEqual([a.id]);
  });

  it("keeps quoted words together and in order", async () => {
    const k = tag();
    const a = await post(`${k} the quick brown fox`);
    const b = await post(`${k} brown and quick`);
    expect(await found(`q=${encodeURIComponent(`${k} "quick brown"`)}`)).toEqual([a.id]);
    expect(await found(`q=${encodeURIComponent(`${k} "brown quick"`)}`)).toEqual([]);
    expect(await found(`q=${encodeURIComponent(`${k} quick brown`)}`)).toEqual([b.id, a.id]);
  });

  it("finds URL and file-name parts, and a word with punctuation as the phrase of its parts", async () => {
    const k = tag();
    const a = await post(`${k} see report.pdf and https://github.com/acme/widgets`);
    expect(await found(`q=${k} report`)).toEqual([a.id]);
    expect(await found(`q=${k} pdf`)).toEqual([a.id]);
    expect(await found(`q=github ${k}`)).toEqual([a.id]);
    expect(await found(`q=${k} acme/widgets`)).toEqual([a.id]);
    expect(await found(`q=${k} widgets/acme`)).toEqual([]);
  });

  it("finds the author's username, and CJK by character runs", async () => {
    const k = tag();
    const a = await post(`${k} 東京都に行きます`);
    expect(await found(`q=${k} ${author.username}`)).toEqual([a.id]);
    expect(await found(`q=${k} ${encodeURIComponent("東京")}`)).toEqual([a.id]);
    expect(await found(`q=${k} ${encodeURIComponent("京都に")}`)).toEqual([a.id]);
    expect(await found(`q=${k} ${encodeURIComponent("大阪")}`)).toEqual([]);
  });
});

describe("filters", () => {
  it("narrows by author, mention, has=link, channel and dates", async () => {
    const k = tag();
    const second = (await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: `c${n++}` } })).body.id as string;
    const mine = await post(`${k} hello @${reader.username} https://example.com/x`);
    const theirs = await post(`${k} hello`, s.channelId, reader);
    const elsewhere = await post(`${k} hello`, second);
    expect(await found(`q=${k}&authorId=${author.id}`)).toEqual([elsewhere.id, mine.id]);
    expect(await found(`q=${k}&mentions=${reader.id}`)).toEqual([mine.id]);
    expect(await found(`q=${k}&has=link`)).toEqual([mine.id]);
    expect(await found(`q=${k}&channelId=${second}`)).toEqual([elsewhere.id]);
    expect(await found(`q=${k}&before=${theirs.id}`)).toEqual([mine.id]);
    expect(await found(`q=${k}&after=${theirs.id}`)).toEqual([elsewhere.id]);
    expect(await found(`q=${k}&after=2000-01-01T00:00:00Z&before=2999-01-01`)).toEqual([elsewhere.id, theirs.id, mine.id]);
    // Filter-only: no q at all.
    expect((await found(`mentions=${reader.id}`))[0]).toBe(mine.id);
    expect((await found(`authorId=${reader.id}`))[0]).toBe(theirs.id);
  });

  it("answers 400 for a search without q, author, mention or has, and for malformed filters", async () => {
    for (const query of ["", "limit=5", "q=%20%20", `q=${"a".repeat(201)}`, "q=a&has=video", "q=a&before=yesterday", "q=a&limit=51", "q=a&authorId=nope", "q=a&cursor=nope"]) {
      const res = await search(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect((await search("q=%21%21%21")).status).toBe(400);
  });
});

/** Every page of a search's ids, following its cursor to the end. */
async function everyPage(query: string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const res = await search(`${query}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    pages.push(ids(res));
    cursor = res.body.cursor;
  } while (cursor);
  return pages;
}

describe("paging", () => {
  it("pages newest first with full pages and a cursor that ends at null", async () => {
    const k = tag();
    const matching: string[] = [];
    for (let i = 0; i < 8; i++) {
      matching.push((await post(`${k} match ${i}`)).id);
      await post(`${k}other filler ${i}`);
    }
    await worker.caughtUp();
    const pages = await everyPage(`q=${k} match&limit=3`);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat()).toEqual([...matching].reverse());
  });
});

/** An overwrite on a channel, through the route (the owner may set any). */
async function overwrite(channelId: string, targetId: string, body: { type: "role" | "member"; allow: string; deny: string } | null) {
  const path = `/servers/${s.id}/channels/${channelId}/overwrites/${targetId}`;
  const res = await t.call(body ? "PUT" : "DELETE", path, { token: s.owner.token, ...(body ? { body } : {}) });
  expect(res.status).toBe(204);
}
const newChannel = async (name: string) => (await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name } })).body.id as string;

describe("permissions", () => {
  it("never finds a channel the caller cannot view or read the history of, nor a server they are not in", async () => {
    const k = tag();
    const hidden = await newChannel(`hidden${n++}`);
    const noHistory = await newChannel(`nohistory${n++}`);
    const deny = (channelId: string, bits: bigint) => overwrite(channelId, s.id, { type: "role", allow: "0", deny: bits.toString() });
    await deny(hidden, PERMISSIONS.VIEW_CHANNEL);
    await deny(noHistory, PERMISSIONS.READ_MESSAGE_HISTORY);
    const open = await post(`${k} secret`);
    const inHidden = await post(`${k} secret`, hidden, s.owner);
    const inNoHistory = await post(`${k} secret`, noHistory, s.owner);
    expect(await found(`q=${k} secret`)).toEqual([open.id]);
    expect(await found(`q=${k} secret&channelId=${hidden}`)).toEqual([]);
    // The owner may read everything.
    expect(await found(`q=${k} secret`, s.owner)).toEqual([inNoHistory.id, inHidden.id, open.id]);
    const outsider = await t.user();
    expect((await search(`q=${k}`, outsider)).status).toBe(404);
  });

  it("follows roles and overwrites as they change: what the caller may read now, never what they could", async () => {
    const k = tag();
    const READ = (PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.READ_MESSAGE_HISTORY).toString();
    const crewOnly = await newChannel(`crew${n++}`);
    await overwrite(crewOnly, s.id, { type: "role", allow: "0", deny: PERMISSIONS.VIEW_CHANNEL.toString() });
    const crew = (await t.call("POST", `/servers/${s.id}/roles`, { token: s.owner.token, body: { name: `crew${n++}` } })).body.id as string;
    await overwrite(crewOnly, crew, { type: "role", allow: READ, deny: "0" });
    const m = await post(`${k} rota`, crewOnly, s.owner);
    expect(await found(`q=${k}`)).toEqual([]);
    const assign = (method: "PUT" | "DELETE") => t.call(method, `/servers/${s.id}/members/${reader.id}/roles/${crew}`, { token: s.owner.token });
    expect((await assign("PUT")).status).toBe(204);
    expect(await found(`q=${k}`)).toEqual([m.id]);
    // The reader's own overwrite takes the history away, whatever their roles give.
    await overwrite(crewOnly, reader.id, { type: "member", allow: "0", deny: PERMISSIONS.READ_MESSAGE_HISTORY.toString() });
    expect(await found(`q=${k}`)).toEqual([]);
    expect(await found(`q=${k}&channelId=${crewOnly}`)).toEqual([]);
    await overwrite(crewOnly, reader.id, null);
    expect(await found(`q=${k}`)).toEqual([m.id]);
    expect((await assign("DELETE")).status).toBe(204);
    expect(await found(`q=${k}`)).toEqual([]);
    expect(await found(`authorId=${s.owner.id}&q=${k}`)).toEqual([]);
  });

  it("fills every page from readable channels when unreadable matches lie between", async () => {
    const k = tag();
    const hidden = await newChannel(`hiddenpages${n++}`);
    await overwrite(hidden, s.id, { type: "role", allow: "0", deny: PERMISSIONS.VIEW_CHANNEL.toString() });
    const readable: string[] = [];
    for (let i = 0; i < 7; i++) {
      readable.push((await post(`${k} page ${i}`, s.channelId, s.owner)).id);
      await post(`${k} page hidden ${i}`, hidden, s.owner);
      await post(`${k} page hidden again ${i}`, hidden, s.owner);
    }
    await worker.caughtUp();
    const pages = await everyPage(`q=${k} page&limit=3`);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual([...readable].reverse());
  });

  it("searches only the caller's own DMs", async () => {
    const k = tag();
    const [a, b, c] = [author, reader, await t.user()];
    const ab = (await t.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body.id as string;
    const ac = (await t.call("POST", "/dms", { token: a.token, body: { userId: c.id } })).body.id as string;
    const m1 = (await t.call("POST", `/dms/${ab}/messages`, { token: a.token, body: { content: `${k} dm words` } })).body.id as string;
    const m2 = (await t.call("POST", `/dms/${ac}/messages`, { token: c.token, body: { content: `${k} dm words` } })).body.id as string;
    await worker.caughtUp();
    const dms = async (who: TestUser, query: string) => {
      const res = await t.call("GET", `/dms/search?${query}`, { token: who.token });
      expect(res.status).toBe(200);
      return ids(res);
    };
    expect(await dms(a, `q=${k} words`)).toEqual([m2, m1]);
    expect(await dms(b, `q=${k} words`)).toEqual([m1]);
    expect(await dms(c, `q=${k} words`)).toEqual([m2]);
    expect(await dms(a, `q=${k}&conversationId=${ab}`)).toEqual([m1]);
    expect((await t.call("GET", `/dms/search?limit=3`, { token: a.token })).status).toBe(400);
  });
});

describe("freshness", () => {
  /** Polls the search as a client would, until it gives `want`; fails after the contract's 5 seconds. */
  async function eventually(query: string, want: string[]) {
    const deadline = Date.now() + 5000;
    let got: string[] = [];
    while (Date.now() < deadline) {
      got = ids(await search(query));
      if (JSON.stringify(got) === JSON.stringify(want)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(got).toEqual(want);
  }

  it("finds a new message, an edit by its new words and not its old ones, and never a deleted one", async () => {
    const k = tag();
    const m = await post(`${k} before words`);
    await eventually(`q=${k} before`, [m.id]);
    const edited = await t.call("PATCH", `${channelPath()}/${m.id}`, { token: author.token, body: { content: `${k} after words` } });
    expect(edited.status).toBe(200);
    await eventually(`q=${k} after`, [m.id]);
    await eventually(`q=${k} before`, []);
    expect((await t.call("DELETE", `${channelPath()}/${m.id}`, { token: author.token })).status).toBe(204);
    await eventually(`q=${k} words`, []);
  });
});

describe("catching up", () => {
  it("indexes what was written while the indexer was stopped, once restarted", async () => {
    const k = tag();
    await worker.close();
    const written = [];
    for (let i = 0; i < 5; i++) written.push((await post(`${k} offline ${i}`)).id);
    worker = startWorker();
    expect(await found(`q=${k} offline`)).toEqual(written.reverse());
  });

  it("indexes every message after the indexer failed half-way through a batch of records, once restarted", async () => {
    const k = tag();
    await worker.close();
    const written = [];
    for (let i = 0; i < 12; i++) written.push((await post(`${k} crash ${i}`, s.channelId, s.owner)).id);
    // An indexer whose writes fail after a few messages' postings: it stops mid-batch, as a crash would.
    const failing = createDb(createDynamoClients(dynamoConfig()).document, tableName);
    const put = failing.entities.searchPostings.put.bind(failing.entities.searchPostings);
    let puts = 0;
    let crashed!: () => void;
    const crash = new Promise<void>((resolve) => (crashed = resolve));
    (failing.entities.searchPostings as { put: unknown }).put = ((items: never) => {
      if (++puts > 3) {
        crashed();
        throw new Error("the indexer crashed");
      }
      return put(items);
    }) as never;
    const dynamo = createDynamoClients(dynamoConfig());
    const crashing = startSearchWorker({ db: failing, dynamo, dynamoConfig: dynamoConfig(), tableName, idleMs: 50 });
    await crash;
    await crashing.close();
    // Some messages were indexed, not all.
    expect((await search(`q=${k} crash`)).body.messages.length).toBeLessThan(written.length);
    worker = startWorker();
    expect(await found(`q=${k} crash&limit=50`)).toEqual(written.reverse());
  });

  it("indexes messages stored before search existed (the backfill), resuming where it stopped", async () => {
    // Postings removed by hand stand for messages the index never saw.
    const k = tag();
    const old = [(await post(`${k} ancient one`)).id, (await post(`${k} ancient two`)).id];
    await worker.caughtUp();
    await worker.close();
    const postings = await db.entities.searchPostings.query.byTerm({ scope: s.id, term: k, bucket: bucketOf(old[0]!) }).go({ pages: "all" });
    expect(postings.data.length).toBeGreaterThanOrEqual(2);
    await db.entities.searchPostings.delete(postings.data).go();
    await db.entities.searchProgress.delete({ name: BACKFILL }).go();
    let pages = 0;
    const first = await backfill(db, DynamoDBDocumentClient.from(new DynamoDBClient(dynamoConfig())), tableName, { pageSize: 5, shouldStop: () => pages++ >= 1 });
    expect(first.done).toBe(false);
    const rest = await backfill(db, DynamoDBDocumentClient.from(new DynamoDBClient(dynamoConfig())), tableName, { pageSize: 100 });
    expect(rest.done).toBe(true);
    expect((await search(`q=${k}`)).body.messages.map((m: { id: string }) => m.id)).toEqual([...old].reverse());
    worker = startWorker();
  });
});

describe("around=", () => {
  it("answers the message and the messages around it, oldest first, half before and half after", async () => {
    const channelId = (await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: `around${n++}` } })).body.id as string;
    const all: string[] = [];
    for (let i = 0; i < 9; i++) all.push((await post(`around ${i}`, channelId)).id);
    const page = async (query: string) => t.call("GET", `${channelPath(channelId)}?${query}`, { token: reader.token });
    const mid = await page(`around=${all[4]}&limit=4`);
    expect(mid.status).toBe(200);
    expect(mid.body.map((m: { id: string }) => m.id)).toEqual(all.slice(2, 7));
    const start = await page(`around=${all[0]}&limit=4`);
    expect(start.body.map((m: { id: string }) => m.id)).toEqual(all.slice(0, 3));
    const end = await page(`around=${all[8]}&limit=5`);
    expect(end.body.map((m: { id: string }) => m.id)).toEqual(all.slice(5, 9));
    // A message of another channel, or none: 404. With before or after: 400.
    const other = await post("not here");
    expect((await page(`around=${other.id}`)).status).toBe(404);
    expect((await page(`around=01ARZ3NDEKTSV4RRFFQ69G5FAV`)).status).toBe(404);
    expect((await page(`around=${all[4]}&before=${all[5]}`)).status).toBe(400);
    expect((await t.call("GET", `${channelPath(channelId)}?around=${all[4]}`, { token: (await t.user()).token })).status).toBe(404);
  });

  it("works in a DM, for its participants only", async () => {
    const dm = (await t.call("POST", "/dms", { token: author.token, body: { userId: reader.id } })).body.id as string;
    const all: string[] = [];
    for (let i = 0; i < 5; i++) all.push((await t.call("POST", `/dms/${dm}/messages`, { token: author.token, body: { content: `dm ${i}` } })).body.id);
    const res = await t.call("GET", `/dms/${dm}/messages?around=${all[2]}&limit=2`, { token: reader.token });
    expect(res.body.map((m: { id: string }) => m.id)).toEqual(all.slice(1, 4));
    expect((await t.call("GET", `/dms/${dm}/messages?around=${all[2]}`, { token: (await t.user()).token })).status).toBe(404);
  });
});
