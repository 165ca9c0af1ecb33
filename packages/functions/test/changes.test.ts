/** api.md "Change feeds" over HTTP: channels and DMs, paging, tombstones, cursors on events, bad and expired cursors. */
import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  t = await testApi({ publisher });
});

/** A fresh server with a member, its channel's paths, and helpers. */
async function channel() {
  const s = await t.server();
  const member = await t.member(s);
  const base = `/servers/${s.id}/channels/${s.channelId}`;
  const send = async (content: string, who = member) => (await t.call("POST", `${base}/messages`, { token: who.token, body: { content } })).body;
  const changes = (query = "", who = member) => t.call("GET", `${base}/changes${query}`, { token: who.token });
  const head = async () => (await changes()).body.cursor as string;
  return { s, member, base, send, changes, head };
}

describe("GET …/channels/:cid/changes", () => {
  it("without since: no changes and the head, which then returns every change after it", async () => {
    const { send, changes, head } = await channel();
    const first = await changes();
    expect(first).toMatchObject({ status: 200, body: { changes: [], cursor: expect.any(String), hasMore: false } });
    const a = await send("one");
    const b = await send("two");
    const page = await changes(`?since=${first.body.cursor}`);
    expect(page.body).toEqual({
      changes: [
        { type: "message", message: a },
        { type: "message", message: b },
      ],
      cursor: await head(),
      hasMore: false,
    });
    // At the head: nothing more, and the same cursor.
    expect((await changes(`?since=${page.body.cursor}`)).body).toEqual({ changes: [], cursor: page.body.cursor, hasMore: false });
  });

  it("gives each message once, in its latest state, at the place of its last change; created then deleted is message_deleted", async () => {
    const { member, base, send, changes, head } = await channel();
    const since = await head();
    const a = await send("a");
    const b = await send("b");
    const c = await send("c");
    const edited = (await t.call("PATCH", `${base}/messages/${a.id}`, { token: member.token, body: { content: "a2" } })).body;
    expect(edited.revision).toBe(2);
    expect((await t.call("DELETE", `${base}/messages/${b.id}`, { token: member.token })).status).toBe(204);
    const page = (await changes(`?since=${since}`)).body;
    expect(page.changes).toEqual([
      { type: "message", message: c },
      { type: "message", message: edited },
      { type: "message_deleted", messageId: b.id },
    ]);
  });

  it("pages with limit and hasMore, each page continuing after the last", async () => {
    const { send, changes, head } = await channel();
    const since = await head();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await send(`m${i}`));
    const p1 = (await changes(`?since=${since}&limit=2`)).body;
    expect(p1.changes.map((c: { message: { id: string } }) => c.message.id)).toEqual([sent[0].id, sent[1].id]);
    expect(p1.hasMore).toBe(true);
    const p2 = (await changes(`?since=${p1.cursor}&limit=2`)).body;
    expect(p2.changes.map((c: { message: { id: string } }) => c.message.id)).toEqual([sent[2].id, sent[3].id]);
    expect(p2.hasMore).toBe(true);
    const p3 = (await changes(`?since=${p2.cursor}&limit=2`)).body;
    expect(p3).toEqual({ changes: [{ type: "message", message: sent[4] }], cursor: await head(), hasMore: false });
  });

  it("takes a limit of 1 to 500; anything else is 400", async () => {
    const { changes } = await channel();
    for (const limit of ["0", "501", "abc", "-1", "1.5"]) {
      expect((await changes(`?limit=${limit}`)).body.error.code, limit).toBe("invalid_request");
    }
    expect((await changes("?limit=500")).status).toBe(200);
    expect((await changes("?limit=1")).status).toBe(200);
  });

  it("answers 400 for a cursor that is garbage, another channel's, or past the head — never 500", async () => {
    const one = await channel();
    const two = await channel();
    await two.send("x");
    const foreign = await two.head();
    const past = Buffer.from(Buffer.from(await one.head(), "base64url").toString().replace(/\d+$/, "99")).toString("base64url");
    for (const since of ["garbage", "%00%FF", "a".repeat(201), foreign, past, Buffer.from("1.x.y").toString("base64url"), ""]) {
      const res = await one.changes(`?since=${encodeURIComponent(since)}`);
      expect(res.status, since).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });

  it("answers 410 cursor_expired once the feed no longer holds the changes after the cursor", async () => {
    const { s, send, changes, head } = await channel();
    const since = await head();
    await send("old");
    await send("newer");
    // What DynamoDB's TTL does to a change item 31 days on.
    await t.deps.db.entities.changes.delete({ conversationId: s.channelId, seq: 1 }).go();
    const res = await changes(`?since=${since}`);
    expect(res).toMatchObject({ status: 410, body: { error: { code: "cursor_expired" } } });
    // A cursor after the swept position still works.
    expect((await changes(`?since=${await head()}`)).status).toBe(200);
  });

  it("with newest=N and no since: the head, and the newest N messages read after it, as GET …/messages?limit=N shows them", async () => {
    const { member, base, send, changes, head } = await channel();
    const sent = [];
    for (let i = 0; i < 4; i++) sent.push(await send(`n${i}`));
    const edited = (await t.call("PATCH", `${base}/messages/${sent[3].id}`, { token: member.token, body: { content: "n3!" } })).body;
    const first = (await changes("?newest=3")).body;
    const page = (await t.call("GET", `${base}/messages?limit=3`, { token: member.token })).body;
    expect(first).toEqual({ changes: [], cursor: await head(), hasMore: false, messages: page });
    expect(first.messages.map((m: { id: string }) => m.id)).toEqual([sent[1].id, sent[2].id, sent[3].id]);
    expect(first.messages[2]).toEqual(edited);
    // Everything after it comes from its cursor, nothing before.
    const later = await send("after the page");
    expect((await changes(`?since=${first.cursor}`)).body.changes).toEqual([{ type: "message", message: later }]);
    // An empty channel: no messages, and its head.
    const empty = await channel();
    expect((await empty.changes("?newest=50")).body).toEqual({ changes: [], cursor: await empty.head(), hasMore: false, messages: [] });
    // Without newest, no messages field.
    expect((await changes()).body).not.toHaveProperty("messages");
  });

  it("takes newest from 1 to 100 and never with since: anything else is 400", async () => {
    const { changes, head } = await channel();
    for (const newest of ["0", "101", "abc", "-1", "1.5", ""]) {
      const res = await changes(`?newest=${newest}`);
      expect(res.status, newest).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    const both = await changes(`?since=${await head()}&newest=10`);
    expect(both).toMatchObject({ status: 400, body: { error: { code: "invalid_request", message: expect.stringContaining("since or newest") } } });
    expect((await changes("?newest=100")).status).toBe(200);
  });

  it("is for members only: 404 to anyone else and for another server's channel", async () => {
    const { s, changes } = await channel();
    const stranger = await t.user();
    expect((await changes("", stranger)).status).toBe(404);
    const other = await t.server();
    expect((await t.call("GET", `/servers/${s.id}/channels/${other.channelId}/changes`, { token: s.owner.token })).status).toBe(404);
  });

  it("every message event carries the cursor right after its change", async () => {
    const { member, base, send, changes, head } = await channel();
    const start = await head();
    publisher.clear();
    const m = await send("hello");
    await t.call("PATCH", `${base}/messages/${m.id}`, { token: member.token, body: { content: "hello!" } });
    await t.call("DELETE", `${base}/messages/${m.id}`, { token: member.token });
    const cursors = publisher.sent
      .flatMap((p) => ("event" in p && "cursor" in p.event ? [p.event] : []))
      .map((e) => [e.type, e.cursor as string] as const);
    expect(cursors.map(([type]) => type)).toEqual(["new_message", "message_updated", "message_deleted"]);
    // The cursor of each event names the position right after that change: asking after it gives the rest.
    const [afterNew, afterEdit, afterDelete] = cursors.map(([, cursor]) => cursor);
    expect((await changes(`?since=${start}&limit=1`)).body.cursor).toBe(afterNew);
    expect((await changes(`?since=${afterNew}`)).body.changes).toEqual([{ type: "message_deleted", messageId: m.id }]);
    expect((await changes(`?since=${afterEdit}`)).body.changes).toEqual([{ type: "message_deleted", messageId: m.id }]);
    expect(afterDelete).toBe(await head());
  });
});

describe("GET /dms/:id/changes", () => {
  it("feeds a DM's creations, edits and deletions to its participants only", async () => {
    const [a, b, c] = [await t.user(), await t.user(), await t.user()];
    const id = (await t.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body.id;
    const path = `/dms/${id}`;
    const head = (await t.call("GET", `${path}/changes`, { token: b.token })).body.cursor;
    const m1 = (await t.call("POST", `${path}/messages`, { token: a.token, body: { content: "one" } })).body;
    const m2 = (await t.call("POST", `${path}/messages`, { token: b.token, body: { content: "two" } })).body;
    const m1e = (await t.call("PATCH", `${path}/messages/${m1.id}`, { token: a.token, body: { content: "one!" } })).body;
    await t.call("DELETE", `${path}/messages/${m2.id}`, { token: b.token });
    const page = await t.call("GET", `${path}/changes?since=${head}`, { token: b.token });
    expect(page.body.changes).toEqual([
      { type: "message", message: m1e },
      { type: "message_deleted", messageId: m2.id },
    ]);
    expect(m1e.revision).toBe(2);
    expect((await t.call("GET", `${path}/changes`, { token: c.token })).status).toBe(404);
    // A channel's cursor is not this conversation's.
    const s = await t.server(a);
    const channelHead = (await t.call("GET", `/servers/${s.id}/channels/${s.channelId}/changes`, { token: a.token })).body.cursor;
    expect((await t.call("GET", `${path}/changes?since=${channelHead}`, { token: a.token })).status).toBe(400);
    expect((await t.call("GET", `${path}/changes?since=garbage`, { token: a.token })).status).toBe(400);
    // Its newest messages with its head, for its participants only.
    const newest = await t.call("GET", `${path}/changes?newest=5`, { token: b.token });
    expect(newest.body.messages).toEqual((await t.call("GET", `${path}/messages?limit=5`, { token: b.token })).body);
    expect(newest.body.messages.map((m: { id: string }) => m.id)).toEqual([m1.id]);
    expect((await t.call("GET", `${path}/changes?newest=5`, { token: c.token })).status).toBe(404);
    // Swept by the TTL: expired.
    await t.deps.db.entities.changes.delete({ conversationId: id, seq: 1 }).go();
    expect((await t.call("GET", `${path}/changes?since=${head}`, { token: b.token })).body.error.code).toBe("cursor_expired");
  });
});
