/** api.md "Read state, unread, mentions": lastMessageId, mentions, PUT …/read, GET /read-states, read_state events. */
import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { MAX_MENTIONED_NAMES } from "@agorusta/core/messages";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  t = await testApi({ publisher });
});

async function room() {
  const s = await t.server();
  const member = await t.member(s);
  const base = `/servers/${s.id}/channels/${s.channelId}`;
  const send = async (content: string, who: { token: string } = member) =>
    (await t.call("POST", `${base}/messages`, { token: who.token, body: { content } })).body;
  const read = (messageId: string, who: { token: string } = member) => t.call("PUT", `${base}/read`, { token: who.token, body: { messageId } });
  const lastMessageId = async () =>
    (await t.call("GET", `/servers/${s.id}`, { token: s.owner.token })).body.channels.find((c: { id: string }) => c.id === s.channelId).lastMessageId;
  return { s, member, base, send, read, lastMessageId };
}

const statesOf = async (user: { token: string }) => (await t.call("GET", "/read-states", { token: user.token })).body as any[];

describe("lastMessageId", () => {
  it("is the newest message still in the channel; deleting the newest moves it back, deleting the last leaves null", async () => {
    const { s, base, send, lastMessageId } = await room();
    expect(await lastMessageId()).toBeNull();
    const a = await send("a");
    const b = await send("b");
    expect(await lastMessageId()).toBe(b.id);
    // Deleting an older one changes nothing.
    const c = await send("c");
    await t.call("DELETE", `${base}/messages/${b.id}`, { token: s.owner.token });
    expect(await lastMessageId()).toBe(c.id);
    await t.call("DELETE", `${base}/messages/${c.id}`, { token: s.owner.token });
    expect(await lastMessageId()).toBe(a.id);
    await t.call("DELETE", `${base}/messages/${a.id}`, { token: s.owner.token });
    expect(await lastMessageId()).toBeNull();
  });

  it("a reader who had read up to a deleted newest message is not left unread", async () => {
    const { s, member, base, send, read } = await room();
    const a = await send("a", s.owner);
    const b = await send("b", s.owner);
    await read(b.id);
    await t.call("DELETE", `${base}/messages/${b.id}`, { token: s.owner.token });
    const state = (await statesOf(member)).find((r) => r.channelId === s.channelId);
    expect(state).toEqual({ channelId: s.channelId, conversationId: null, lastReadMessageId: b.id, mentionCount: 0 });
    const detail = (await t.call("GET", `/servers/${s.id}`, { token: member.token })).body;
    // Unread means lastMessageId > lastReadMessageId: a (before b) is not.
    expect(detail.channels[0].lastMessageId).toBe(a.id);
    expect(a.id < b.id).toBe(true);
  });

  it("follows a DM too", async () => {
    const [a, b] = [await t.user(), await t.user()];
    const id = (await t.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body.id;
    const m1 = (await t.call("POST", `/dms/${id}/messages`, { token: a.token, body: { content: "1" } })).body;
    const m2 = (await t.call("POST", `/dms/${id}/messages`, { token: a.token, body: { content: "2" } })).body;
    expect((await t.call("GET", `/dms/${id}`, { token: b.token })).body.lastMessageId).toBe(m2.id);
    await t.call("DELETE", `/dms/${id}/messages/${m2.id}`, { token: a.token });
    expect((await t.call("GET", `/dms/${id}`, { token: b.token })).body.lastMessageId).toBe(m1.id);
    expect((await t.call("GET", "/dms", { token: b.token })).body[0].lastMessageId).toBe(m1.id);
  });
});

describe("mentions", () => {
  it("@username, case-insensitive, members only, each once, in order; never the @everyone of a member", async () => {
    const { s, member, send } = await room();
    const outsider = await t.user();
    const m = await send(`hey @${s.owner.username.toUpperCase()}, @${outsider.username} and @${member.username}. @${s.owner.username} again @everyone`);
    expect(m.mentions).toEqual([s.owner.id, member.id]);
    expect(m.mentionsEveryone).toBe(false);
    expect((await send("mail me at someone@example.com or @nosuchuser")).mentions).toEqual([]);
  });

  it("@everyone from the owner mentions everyone", async () => {
    const { s, send } = await room();
    expect(await send("@everyone meeting!", s.owner)).toMatchObject({ mentions: [], mentionsEveryone: true });
  });

  it(`looks up at most ${MAX_MENTIONED_NAMES} distinct names; later ones stay plain text`, async () => {
    const { s, member, send } = await room();
    const filler = Array.from({ length: MAX_MENTIONED_NAMES }, (_, i) => `@nobody${i}x`).join(" ");
    expect((await send(`${filler} @${s.owner.username}`, member)).mentions).toEqual([]);
    expect((await send(`@${s.owner.username} ${filler}`, member)).mentions).toEqual([s.owner.id]);
  });

  it("an edit works them out again", async () => {
    const { s, member, base, send } = await room();
    const m = await send(`@${s.owner.username}`);
    const edited = (await t.call("PATCH", `${base}/messages/${m.id}`, { token: member.token, body: { content: "never mind" } })).body;
    expect(edited.mentions).toEqual([]);
    const state = (await statesOf(s.owner)).find((r) => r.channelId === s.channelId);
    expect(state.mentionCount).toBe(0);
  });

  it("a deleted mention no longer counts", async () => {
    const { s, member, base, send } = await room();
    const m = await send(`@${member.username} ping`, s.owner);
    const count = async () => (await statesOf(member)).find((r) => r.channelId === s.channelId).mentionCount;
    expect(await count()).toBe(1);
    await t.call("DELETE", `${base}/messages/${m.id}`, { token: s.owner.token });
    expect(await count()).toBe(0);
  });

  it("in a DM every message mentions the other participant", async () => {
    const [a, b] = [await t.user(), await t.user()];
    const id = (await t.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body.id;
    const m = (await t.call("POST", `/dms/${id}/messages`, { token: a.token, body: { content: `no names, not even @${a.username}` } })).body;
    expect(m).toMatchObject({ mentions: [b.id], mentionsEveryone: false });
  });
});

describe("PUT …/read and GET /read-states", () => {
  it("moves the read position only forward; mentionCount counts the mentioning messages after it", async () => {
    const { s, member, send, read } = await room();
    const m1 = await send(`@${member.username} one`, s.owner);
    const m2 = await send("no mention", s.owner);
    const m3 = await send(`@everyone three`, s.owner);
    const m4 = await send(`@${member.username} four`, s.owner);
    expect((await statesOf(member)).find((r) => r.channelId === s.channelId)).toEqual({
      channelId: s.channelId, conversationId: null, lastReadMessageId: null, mentionCount: 3,
    });
    expect((await read(m2.id)).body).toEqual({ channelId: s.channelId, conversationId: null, lastReadMessageId: m2.id, mentionCount: 2 });
    // Backwards: stays where it is.
    expect((await read(m1.id)).body).toMatchObject({ lastReadMessageId: m2.id, mentionCount: 2 });
    expect((await read(m3.id)).body).toMatchObject({ lastReadMessageId: m3.id, mentionCount: 1 });
    expect((await read(m4.id)).body).toMatchObject({ lastReadMessageId: m4.id, mentionCount: 0 });
    // The owner's own @everyone does not count for the owner.
    expect((await statesOf(s.owner)).find((r) => r.channelId === s.channelId).mentionCount).toBe(0);
  });

  it("a message naming the reader and @everyone is one mention, counted once", async () => {
    const { s, member, send, read } = await room();
    const both = await send(`@${member.username} and @everyone, look`, s.owner);
    expect(both).toMatchObject({ mentions: [member.id], mentionsEveryone: true });
    await send("@everyone again", s.owner);
    await send(`@${member.username} and you`, s.owner);
    expect((await statesOf(member)).find((r) => r.channelId === s.channelId).mentionCount).toBe(3);
    // Counted after a position too (the PUT's answer), and once read, none is left.
    const first = await send("plain", s.owner);
    const last = await send(`@everyone @${member.username} last`, s.owner);
    expect((await read(first.id)).body).toMatchObject({ mentionCount: 1 });
    expect((await read(last.id)).body).toMatchObject({ mentionCount: 0 });
  });

  it("a position past the newest message reads up to the newest, no further", async () => {
    const { s, member, send, read } = await room();
    const m = await send("only", s.owner);
    const future = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";
    expect((await read(future)).body).toMatchObject({ lastReadMessageId: m.id, mentionCount: 0 });
    const next = await send(`@${member.username}`, s.owner);
    expect((await statesOf(member)).find((r) => r.channelId === s.channelId)).toMatchObject({ lastReadMessageId: m.id, mentionCount: 1 });
    expect(next.id > m.id).toBe(true);
  });

  it("tells every connection of the reader (read_state), only when the position moved", async () => {
    const { s, member, send, read } = await room();
    const m = await send("x", s.owner);
    publisher.clear();
    await read(m.id);
    await read(m.id);
    expect(publisher.sent).toEqual([
      { to: "users", userIds: [member.id], event: { type: "read_state", channelId: s.channelId, conversationId: null, lastReadMessageId: m.id, mentionCount: 0 } },
    ]);
  });

  it("lists every channel of every server of the caller and every DM, and nothing of others", async () => {
    const { s, member } = await room();
    const c2 = (await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "two" } })).body;
    const other = await t.server(member);
    const friend = await t.user();
    const dm = (await t.call("POST", "/dms", { token: member.token, body: { userId: friend.id } })).body;
    const dmMessage = (await t.call("POST", `/dms/${dm.id}/messages`, { token: friend.token, body: { content: "psst" } })).body;
    const states = await statesOf(member);
    const blank = { lastReadMessageId: null, mentionCount: 0 };
    expect(states).toEqual(
      expect.arrayContaining([
        { channelId: s.channelId, conversationId: null, ...blank },
        { channelId: c2.id, conversationId: null, ...blank },
        { channelId: other.channelId, conversationId: null, ...blank },
        { channelId: null, conversationId: dm.id, lastReadMessageId: null, mentionCount: 1 },
      ]),
    );
    expect(states).toHaveLength(4);
    publisher.clear();
    const read = await t.call("PUT", `/dms/${dm.id}/read`, { token: member.token, body: { messageId: dmMessage.id } });
    expect(read.body).toEqual({ channelId: null, conversationId: dm.id, lastReadMessageId: dmMessage.id, mentionCount: 0 });
    expect(publisher.sent).toEqual([{ to: "users", userIds: [member.id], event: { type: "read_state", ...read.body } }]);
    expect((await statesOf(friend)).map((r) => r.conversationId)).toEqual([dm.id]);
  });

  // The contract: a malformed id is an unknown id (404), in a body too; only a body without one is a 400.
  it("404 to a non-member or non-participant, and for a messageId that cannot be an id", async () => {
    const { s, base, send } = await room();
    const m = await send("x", s.owner);
    const stranger = await t.user();
    expect((await t.call("PUT", `${base}/read`, { token: stranger.token, body: { messageId: m.id } })).status).toBe(404);
    expect((await t.call("PUT", `${base}/read`, { token: s.owner.token, body: { messageId: "nope" } })).status).toBe(404);
    expect((await t.call("PUT", `${base}/read`, { token: s.owner.token, body: {} })).status).toBe(400);
    const other = await t.server();
    expect((await t.call("PUT", `/servers/${s.id}/channels/${other.channelId}/read`, { token: s.owner.token, body: { messageId: m.id } })).status).toBe(404);
    const [a, b] = [await t.user(), await t.user()];
    const dm = (await t.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body;
    expect((await t.call("PUT", `/dms/${dm.id}/read`, { token: stranger.token, body: { messageId: m.id } })).status).toBe(404);
    for (const messageId of ["nope", "", "01arz3ndektsv4rrffq69g5fav", "x".repeat(300)]) {
      for (const [path, who] of [[`${base}/read`, s.owner], [`/dms/${dm.id}/read`, a]] as const) {
        const res = await t.call("PUT", path, { token: who.token, body: { messageId } });
        expect(res, `${path} ${messageId.slice(0, 30)}`).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
      }
    }
    expect((await t.call("PUT", `/dms/${dm.id}/read`, { token: a.token, body: { messageId: 7 } })).status).toBe(400);
    expect((await t.call("PUT", `/dms/${dm.id}/read`, { token: a.token, body: {} })).status).toBe(400);
  });
});
