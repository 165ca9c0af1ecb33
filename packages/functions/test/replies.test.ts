/** Replies: `replyTo` on channel and DM messages, its excerpt frozen at send time, and what is refused. */
import { beforeAll, describe, expect, it } from "vitest";
import { testApiWithServer, type TestApi, type TestServer } from "@agorusta/testing";

let t: TestApi;
let s: TestServer;
let base: string;
beforeAll(async () => {
  ({ t, s } = await testApiWithServer());
  base = `/servers/${s.id}/channels/${s.channelId}/messages`;
});

const send = (token: string, body: unknown, at = base) => t.call("POST", at, { token, body });

describe("replyTo", () => {
  it("records the original's id, author and first 100 characters, as they were when the reply was sent", async () => {
    const m = await t.member(s);
    const long = `${"👩‍👩‍👧".repeat(60)}${"x".repeat(100)}`;
    const original = await send(s.owner.token, { content: long });
    const reply = await send(m.token, { content: "agreed", replyTo: original.body.id });
    expect(reply.status).toBe(201);
    expect(reply.body.replyTo).toEqual({
      id: original.body.id,
      author: { id: s.owner.id, username: s.owner.username, createdAt: s.owner.createdAt, avatarUrl: null, bot: false },
      // 100 grapheme clusters: a ZWJ family counts as one, and is never cut in half.
      excerpt: "👩‍👩‍👧".repeat(60) + "x".repeat(40),
    });
    // Editing the original later leaves the reply's excerpt as it was.
    await t.call("PATCH", `${base}/${original.body.id}`, { token: s.owner.token, body: { content: "changed my mind" } });
    const page = await t.call("GET", `${base}?limit=2`, { token: m.token });
    expect(page.body.map((x: { replyTo: unknown }) => x.replyTo)).toEqual([null, reply.body.replyTo]);
  });

  it("keeps the excerpt of a short message whole, and is null on a message that replies to nothing", async () => {
    const original = await send(s.owner.token, { content: "short" });
    const reply = await send(s.owner.token, { content: "me too", replyTo: original.body.id });
    expect(reply.body.replyTo.excerpt).toBe("short");
    expect(original.body.replyTo).toBeNull();
  });

  it("still shows the reply after the original is deleted", async () => {
    const original = await send(s.owner.token, { content: "soon gone" });
    const reply = await send(s.owner.token, { content: "answer", replyTo: original.body.id });
    await t.call("DELETE", `${base}/${original.body.id}`, { token: s.owner.token });
    const page = await t.call("GET", `${base}?limit=1`, { token: s.owner.token });
    expect(page.body[0]).toMatchObject({ id: reply.body.id, replyTo: { id: original.body.id, excerpt: "soon gone" } });
  });

  it("refuses a message of another channel, an unknown id, a malformed id and a non-string with 400", async () => {
    const other = await t.server(s.owner);
    const elsewhere = await send(s.owner.token, { content: "there" }, `/servers/${other.id}/channels/${other.channelId}/messages`);
    for (const replyTo of [elsewhere.body.id, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "nope", 5]) {
      const res = await send(s.owner.token, { content: "hi", replyTo });
      expect(res).toMatchObject({ status: 400, body: { error: { code: "invalid_request", issues: [{ path: "replyTo" }] } } });
    }
  });

  it("works in DMs, and refuses a message of another conversation", async () => {
    const [a, b, c] = [await t.user(), await t.user(), await t.user()];
    const ab = (await t.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body.id;
    const ac = (await t.call("POST", "/dms", { token: a.token, body: { userId: c.id } })).body.id;
    const original = await send(a.token, { content: "question?" }, `/dms/${ab}/messages`);
    const reply = await send(b.token, { content: "answer", replyTo: original.body.id }, `/dms/${ab}/messages`);
    expect(reply.status).toBe(201);
    expect(reply.body.replyTo).toMatchObject({ id: original.body.id, excerpt: "question?", author: { id: a.id } });
    const wrong = await send(a.token, { content: "x", replyTo: original.body.id }, `/dms/${ac}/messages`);
    expect(wrong.status).toBe(400);
  });
});
