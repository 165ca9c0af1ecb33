import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { silentPublisher, type Publisher, type ServerEvent } from "@agorusta/core";
import { startConversation } from "@agorusta/core/dms";
import { testApi, type ApiResponse, type TestApi, type TestUser } from "@agorusta/testing";
import { insertUser } from "./directUsers.ts";

/** Records what the routes push, instead of delivering it. */
const published: { userIds: string[]; event: ServerEvent }[] = [];
const recordingPublisher: Publisher = {
  ...silentPublisher,
  toUsers: async (userIds, event) => {
    published.push({ userIds, event });
  },
};

let t: TestApi;
let ann: TestUser, ben: TestUser, cat: TestUser;

beforeAll(async () => {
  t = await testApi({ publisher: recordingPublisher });
  [ann, ben, cat] = await Promise.all([t.user(), t.user(), t.user()]);
});
beforeEach(() => {
  published.length = 0;
});

const UNKNOWN_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
const publicUser = (u: TestUser) => ({ id: u.id, username: u.username, createdAt: u.createdAt, avatarUrl: null, bot: false });
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

const start = (from: TestUser, userId: unknown) => t.call("POST", "/dms", { token: from.token, body: { userId } });
const send = (from: TestUser, id: string, content: unknown) => t.call("POST", `/dms/${id}/messages`, { token: from.token, body: { content } });
const history = (as: TestUser, id: string, query = "") => t.call("GET", `/dms/${id}/messages${query}`, { token: as.token });
const contents = (res: { body: Array<{ content: string }> }) => res.body.map((m) => m.content);

/** Runs a request and returns it with the DynamoDB requests it made, by operation. */
async function measured(run: () => Promise<ApiResponse>) {
  const counts = t.deps.dynamo.counts;
  for (const k of Object.keys(counts)) delete counts[k];
  const res = await run();
  return { res, requests: { ...counts } };
}

let seq = 0;
/** Users straight into the table: DMs need user rows, not registrations (see directUsers.ts). */
const quickUser = () => insertUser(t.deps, `dm${Date.now().toString(36)}${seq++}`);
const twoUsers = () => Promise.all([quickUser(), quickUser()]);

/** A fresh pair of users with their conversation. */
async function pair() {
  const [a, b] = await twoUsers();
  const conversation = await start(a, b.id);
  return { a, b, id: conversation.body.id as string };
}

describe("POST /dms", () => {
  it("starts a conversation: 201 DmConversation with both participants as public Users", async () => {
    const res = await start(ann, ben.id);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      participants: [publicUser(ann), publicUser(ben)].sort(byId),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      lastMessageAt: null,
      lastMessageId: null,
    });
  });

  it("answers 200 with the same conversation when it is started again, from either side", async () => {
    const { a, b, id } = await pair();
    const again = await start(a, b.id);
    const fromOtherSide = await start(b, a.id);
    expect(again).toMatchObject({ status: 200, body: { id } });
    expect(fromOtherSide).toMatchObject({ status: 200, body: { id } });
    expect(fromOtherSide.body).toEqual(again.body);
  });

  it("makes exactly one conversation when both sides start it ten times at once", async () => {
    const [a, b] = await twoUsers();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? start(a, b.id) : start(b, a.id))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(9);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const listed = await t.call("GET", "/dms", { token: a.token });
    expect(listed.body.map((c: { id: string }) => c.id)).toEqual([results[0]!.body.id]);
  });

  it("refuses a conversation with oneself: 400 invalid_request on userId", async () => {
    const res = await start(ann, ann.id);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", issues: [{ path: "userId" }] });
  });

  it("answers 404 not_found for a user who does not exist", async () => {
    const res = await start(ann, UNKNOWN_ID);
    expect(res).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it.each([
    ["a missing userId", {}],
    ["a numeric userId", { userId: 42 }],
  ])("answers 400 invalid_request for %s", async (_, body) => {
    const res = await t.call("POST", "/dms", { token: ann.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", issues: [{ path: "userId" }] });
  });

  // api.md "Sessions and safety": a malformed id is an unknown id, never a 400, and costs no read
  // but the caller's session (every signed-in request reads it).
  it.each([
    ["a userId that is not an id", { userId: "bob" }],
    ["a lower-case id", { userId: UNKNOWN_ID.toLowerCase() }],
    ["a huge userId", { userId: "0".repeat(50_000) }],
    ["a unicode userId", { userId: "０１ＡＲＺ３ＮＤＥＫＴＳＶ４ＲＲＦＦＱ６９Ｇ５ＦＡＶ" }],
  ])("answers 404 not_found for %s, reading nothing but the session", async (_, body) => {
    const { res, requests } = await measured(() => t.call("POST", "/dms", { token: ann.token, body }));
    expect(res).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect(requests).toEqual({ GetItem: 1 });
  });

  it("costs a guard read, one BatchGetItem and one transaction when new; two reads when it exists (+ one BatchGetItem of avatars)", async () => {
    const [a, b] = await twoUsers();
    const created = await measured(() => start(a, b.id));
    expect(created.res.status).toBe(201);
    // Each request also reads the caller's session (one GetItem); a new conversation counts against the start-DM limit.
    expect(created.requests).toEqual({ GetItem: 2, UpdateItem: 1, BatchGetItem: 2, TransactWriteItems: 1 });
    const existing = await measured(() => start(b, a.id));
    expect(existing.res.status).toBe(200);
    expect(existing.requests).toEqual({ GetItem: 3, BatchGetItem: 1 });
  });
});

describe("GET /dms/:id", () => {
  it("shows the conversation to both participants", async () => {
    const { a, b, id } = await pair();
    for (const who of [a, b]) {
      const res = await t.call("GET", `/dms/${id}`, { token: who.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, participants: [publicUser(a), publicUser(b)].sort(byId) });
    }
  });

  it("answers 404 not_found to anyone else, as for an id that does not exist or cannot be one", async () => {
    const { id } = await pair();
    for (const path of [`/dms/${id}`, `/dms/${UNKNOWN_ID}`, "/dms/nope", `/dms/${"Z".repeat(3000)}`, "/dms/%F0%9F%A6%80"]) {
      const res = await t.call("GET", path, { token: cat.token });
      expect(res, path.slice(0, 60)).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    }
  });

  it("costs one GetItem (+ one BatchGetItem of the participants' avatars)", async () => {
    const { a, id } = await pair();
    const { res, requests } = await measured(() => t.call("GET", `/dms/${id}`, { token: a.token }));
    expect(res.status).toBe(200);
    expect(requests).toEqual({ GetItem: 2, BatchGetItem: 1 });
  });
});

describe("GET /dms", () => {
  it("lists the caller's conversations, most recent activity first, and only theirs", async () => {
    const [me, x, y, z] = await Promise.all([quickUser(), quickUser(), quickUser(), quickUser()]);
    const withX = (await start(me, x.id)).body.id;
    const withY = (await start(y, me.id)).body.id;
    const withZ = (await start(me, z.id)).body.id;
    const ids = async (who: TestUser) => (await t.call("GET", "/dms", { token: who.token })).body.map((c: { id: string }) => c.id);

    expect(await ids(me)).toEqual([withZ, withY, withX]);
    await send(x, withX, "bump");
    expect(await ids(me)).toEqual([withX, withZ, withY]);
    await send(me, withY, "bump");
    expect(await ids(me)).toEqual([withY, withX, withZ]);
    expect(await ids(x)).toEqual([withX]);
    expect(await ids(z)).toEqual([withZ]);

    const list = (await t.call("GET", "/dms", { token: me.token })).body;
    expect(list[0]).toMatchObject({ id: withY, participants: [publicUser(me), publicUser(y)].sort(byId), lastMessageAt: expect.any(String) });
    expect(list[2].lastMessageAt).toBeNull();
  });

  it("answers [] to someone without conversations", async () => {
    const loner = await quickUser();
    expect(await t.call("GET", "/dms", { token: loner.token })).toMatchObject({ status: 200, body: [] });
  });

  it("costs one Query of the inbox, one BatchGetItem of the conversations, one of the participants' avatars", async () => {
    const { a } = await pair();
    await start(a, cat.id);
    const { res, requests } = await measured(() => t.call("GET", "/dms", { token: a.token }));
    expect(res.body).toHaveLength(2);
    expect(requests).toEqual({ GetItem: 1, Query: 1, BatchGetItem: 2 });
  });

  // A page is at most 100 (api.md "Sessions and safety"): one BatchGetItem, however large the inbox.
  it("pages an inbox larger than a page: limit=100, then before=<the last one>", async () => {
    const { a } = await pair();
    const others = await Promise.all(Array.from({ length: 104 }, quickUser));
    await Promise.all(others.map((o) => startConversation(t.deps.db, a.id, o.id)));
    const first = await measured(() => t.call("GET", "/dms?limit=100", { token: a.token }));
    expect(first.res.body).toHaveLength(100);
    // The session; the conversations (100 keys), then the 101 participants' avatars (two BatchGets).
    expect(first.requests).toEqual({ GetItem: 1, Query: 1, BatchGetItem: 3 });
    const last = first.res.body[99].id;
    const second = await measured(() => t.call("GET", `/dms?limit=100&before=${last}`, { token: a.token }));
    expect(second.res.body).toHaveLength(5);
    // The session and the `before` conversation, then as above.
    expect(second.requests).toEqual({ GetItem: 2, Query: 1, BatchGetItem: 2 });
    const seen = [...first.res.body, ...second.res.body].map((c: { id: string }) => c.id);
    expect(new Set(seen).size).toBe(105);
  }, 120_000);
});

describe("POST /dms/:id/messages", () => {
  let shared: Awaited<ReturnType<typeof pair>>;
  beforeAll(async () => {
    shared = await pair();
  });

  it("stores the message and answers 201 DmMessage, its content trimmed and otherwise verbatim", async () => {
    const { a, b, id } = await pair();
    const content = `  <script>alert("x")</script> & <b>bold</b> — 日本語 👩‍👩‍👧  `;
    const res = await send(a, id, content);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      conversationId: id,
      authorId: a.id,
      author: publicUser(a),
      content: content.trim(),
      createdAt: expect.stringMatching(/Z$/),
      editedAt: null,
      replyTo: null,
      reactions: [],
      attachments: [],
      revision: 1,
      nonce: null,
      // Every DM mentions the other participant.
      mentions: [b.id],
      mentionsEveryone: false,
    });
    expect((await history(a, id)).body).toEqual([res.body]);
    const conversation = await t.call("GET", `/dms/${id}`, { token: a.token });
    expect(conversation.body.lastMessageAt).toBe(res.body.createdAt);
  });

  it("pushes new_dm_message to both participants, after storing it", async () => {
    const { a, b, id } = await pair();
    const res = await send(b, id, "hello");
    expect(published).toEqual([{ userIds: [a.id, b.id].sort(), event: { type: "new_dm_message", message: res.body, cursor: expect.any(String) } }]);
  });

  it("answers 404 not_found to a non-participant, and stores and pushes nothing", async () => {
    const { a, id } = await pair();
    const res = await send(cat, id, "let me in");
    expect(res).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect(published).toEqual([]);
    expect((await history(a, id)).body).toEqual([]);
    expect((await send(cat, UNKNOWN_ID, "x")).status).toBe(404);
  });

  it("accepts 4000 characters after trimming and refuses 4001", async () => {
    const { a, id } = await pair();
    expect((await send(a, id, ` ${"é".repeat(4000)} `)).status).toBe(201);
    const res = await send(a, id, "a".repeat(4001));
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe("content");
  });

  it.each([
    ["empty content", { content: "" }],
    ["whitespace only", { content: " \n\t " }],
    ["numeric content", { content: 7 }],
    ["an array", { content: ["hi"] }],
    ["no content", {}],
  ])("answers 400 invalid_request for %s", async (_, body) => {
    const { a, id } = shared;
    const res = await t.call("POST", `/dms/${id}/messages`, { token: a.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "invalid_request", issues: [{ path: "content" }] });
  });

  it("keeps every one of ten messages sent at once, in id order", async () => {
    const { a, b, id } = await pair();
    const sent = await Promise.all(Array.from({ length: 10 }, (_, i) => send(i % 2 ? a : b, id, `m${i}`)));
    expect(sent.map((r) => r.status)).toEqual(Array(10).fill(201));
    const page = (await history(a, id)).body;
    expect(page.map((m: { id: string }) => m.id)).toEqual(sent.map((r) => r.body.id).sort());
  });

  it("costs one BatchGet (the session, the conversation, the author's avatar), the rate limit and one transaction (message, conversation, both inboxes)", async () => {
    const { a, id } = await pair();
    const { res, requests } = await measured(() => send(a, id, "priced"));
    expect(res.status).toBe(201);
    expect(requests).toEqual({ BatchGetItem: 1, UpdateItem: 1, TransactWriteItems: 1 });
  });
});

describe("GET /dms/:id/messages", () => {
  let a: TestUser;
  let id: string;
  let sent: { id: string; content: string }[];
  beforeAll(async () => {
    ({ a, id } = await pair());
    sent = [];
    for (let i = 0; i < 7; i++) sent.push((await send(a, id, `m${i}`)).body);
  });

  it("answers the newest messages, oldest first, 50 by default", async () => {
    expect(contents(await history(a, id))).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
  });

  it("pages back with limit and before", async () => {
    const newest = await history(a, id, "?limit=3");
    expect(contents(newest)).toEqual(["m4", "m5", "m6"]);
    const older = await history(a, id, `?limit=3&before=${newest.body[0].id}`);
    expect(contents(older)).toEqual(["m1", "m2", "m3"]);
    const oldest = await history(a, id, `?limit=3&before=${older.body[0].id}`);
    expect(contents(oldest)).toEqual(["m0"]);
    expect((await history(a, id, `?before=${sent[0]!.id}`)).body).toEqual([]);
  });

  it("catches up with after: the oldest messages newer than the cursor", async () => {
    expect(contents(await history(a, id, `?after=${sent[1]!.id}&limit=2`))).toEqual(["m2", "m3"]);
    expect((await history(a, id, `?after=${sent[6]!.id}`)).body).toEqual([]);
  });

  it("treats a well-formed cursor of no message as a point in time", async () => {
    expect((await history(a, id, `?before=${UNKNOWN_ID}`)).body).toEqual([]);
    expect(contents(await history(a, id, `?after=${UNKNOWN_ID}&limit=1`))).toEqual(["m0"]);
  });

  it("answers 404 not_found to a non-participant", async () => {
    expect(await history(cat, id)).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it.each([
    ["limit=0"], ["limit=101"], ["limit=abc"], ["limit=-1"], ["limit=1.5"], ["before=nope"], [`before=${UNKNOWN_ID.toLowerCase()}`],
    [`after=${"Z".repeat(27)}`], [`before=${UNKNOWN_ID}&after=${UNKNOWN_ID}`],
  ])("answers 400 invalid_request for ?%s", async (query) => {
    const res = await history(a, id, `?${query}`);
    expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
  });

  it("costs one GetItem and one Query (+ one BatchGetItem of the authors' avatars)", async () => {
    const { res, requests } = await measured(() => history(a, id, "?limit=2"));
    expect(res.body).toHaveLength(2);
    expect(requests).toEqual({ GetItem: 2, Query: 1, BatchGetItem: 1 });
  });
});

describe("authorization", () => {
  it.each([
    ["GET", "/dms"],
    ["POST", "/dms"],
    ["GET", `/dms/${UNKNOWN_ID}`],
    ["GET", `/dms/${UNKNOWN_ID}/messages`],
    ["POST", `/dms/${UNKNOWN_ID}/messages`],
  ])("%s %s answers 401 without a valid token", async (method, path) => {
    const body = method === "POST" ? { userId: UNKNOWN_ID, content: "x" } : undefined;
    const res = await t.call(method, path, { body });
    expect(res).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    const forged = await t.call(method, path, { token: "a.b.c", body });
    expect(forged.status).toBe(401);
  });
});
