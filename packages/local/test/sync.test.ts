/**
 * "Nothing missed, on any device" over real WebSockets on the running runtime: whole-server
 * subscriptions and `channel_activity`, server-level events without watching a channel,
 * `read_state` on every device of the reader, cursors on events, and catching up after a drop
 * through `/changes` — however many changes, however old the messages they touch.
 */
import { describe, expect, it } from "vitest";
import { liveRuntime, subscribe, type Frame, type TestSocket } from "./wsClient.ts";

// Catch-up posts 120 messages in a row, over the 20-per-10-s limit: as a load test would, without it.
const live = liveRuntime({ usageLimits: "off" });
const ofType = (type: string) => (f: Frame) => f.type === type;

/** Subscribes a socket to a whole server and waits for the answer for it. */
async function subscribeServer(s: TestSocket, serverId: string): Promise<Frame> {
  const before = s.frames.length;
  s.send({ action: "subscribe", serverId });
  return s.waitFor((f) => s.frames.indexOf(f) >= before && (f.type === "subscribed" || f.type === "error") && f.serverId === serverId);
}

async function room() {
  const s = await live.api.server();
  const member = await live.api.member(s);
  const messages = `/servers/${s.id}/channels/${s.channelId}/messages`;
  const send = async (content: string, who: { token: string } = member) =>
    (await live.api.call("POST", messages, { token: who.token, body: { content } })).body;
  return { s, member, messages, send };
}

describe("whole-server subscriptions", () => {
  it("subscribe by serverId: members only; then channel_activity for every message in any channel, with its mentions", async () => {
    const { s, member, send } = await room();
    const ownerWs = await live.open(s.owner);
    expect(await subscribeServer(ownerWs, s.id)).toEqual({ type: "subscribed", serverId: s.id });
    const outsider = await live.open(await live.api.user());
    expect(await subscribeServer(outsider, s.id)).toMatchObject({ type: "error", code: "not_found", serverId: s.id });

    const c2 = (await live.api.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "two" } })).body;
    const m1 = await send(`hi @${s.owner.username}`);
    const m2 = (await live.api.call("POST", `/servers/${s.id}/channels/${c2.id}/messages`, { token: s.owner.token, body: { content: "@everyone look" } })).body;
    const activity = await ownerWs.waitForCount(ofType("channel_activity"), 2);
    expect(activity).toEqual([
      { type: "channel_activity", serverId: s.id, channelId: s.channelId, messageId: m1.id, authorId: member.id, mentions: [s.owner.id], mentionsEveryone: false, mentionRoles: [] },
      { type: "channel_activity", serverId: s.id, channelId: c2.id, messageId: m2.id, authorId: s.owner.id, mentions: [], mentionsEveryone: true, mentionRoles: [] },
    ]);
    // Watching the server is not watching its channels.
    expect(ownerWs.frames.filter(ofType("new_message"))).toEqual([]);
  });

  it("server-level events reach a server subscriber that watches no channel", async () => {
    const { s } = await room();
    const ownerWs = await live.open(s.owner);
    await subscribeServer(ownerWs, s.id);
    const joiner = await live.api.member(s);
    expect(await ownerWs.waitFor(ofType("member_joined"))).toMatchObject({ serverId: s.id, member: { user: { id: joiner.id } } });
    const joinerWs = await live.open(joiner);
    expect(await ownerWs.waitFor((f) => f.type === "presence" && f.userId === joiner.id)).toEqual({ type: "presence", userId: joiner.id, online: true });
    const c = (await live.api.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "news" } })).body;
    // An event's channel has no `permissions`: each listener's are their own (docs/decisions.md).
    const { permissions: _own, ...channel } = c;
    expect(await ownerWs.waitFor(ofType("channel_created"))).toEqual({ type: "channel_created", channel });
    await live.api.call("DELETE", `/servers/${s.id}/members/me`, { token: joiner.token });
    expect(await ownerWs.waitFor(ofType("member_left"))).toEqual({ type: "member_left", serverId: s.id, userId: joiner.id });
    await joinerWs.close();
    expect((await live.api.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    expect(await ownerWs.waitFor(ofType("server_deleted"))).toEqual({ type: "server_deleted", serverId: s.id });
  });

  it("a kicked member's server subscription ends at once, and they cannot subscribe again", async () => {
    const { s, member, send } = await room();
    const [ownerWs, memberWs] = [await live.open(s.owner), await live.open(member)];
    await subscribeServer(ownerWs, s.id);
    await subscribeServer(memberWs, s.id);
    expect((await live.api.call("DELETE", `/servers/${s.id}/members/${member.id}`, { token: s.owner.token })).status).toBe(204);
    expect(await memberWs.waitFor(ofType("member_left"))).toMatchObject({ userId: member.id });
    const after = await send("after the kick", s.owner);
    // The owner's copy shows the fan-out has run (the POST waits for it).
    await ownerWs.waitFor((f) => f.type === "channel_activity" && f.messageId === after.id);
    expect(memberWs.frames.filter((f) => f.type === "channel_activity" && f.messageId === after.id)).toEqual([]);
    // Removal is authoritative: the socket that listened is closed, and a new one may not subscribe.
    await memberWs.closed;
    expect(await subscribeServer(await live.open(member), s.id)).toMatchObject({ type: "error", code: "not_found" });
  });

  it("unsubscribe by serverId stops it; a frame naming both a channel and a server is refused", async () => {
    const { s, member, send } = await room();
    const [ownerWs, second] = [await live.open(s.owner), await live.open(s.owner)];
    await subscribeServer(ownerWs, s.id);
    await subscribeServer(second, s.id);
    expect(await second.request({ action: "unsubscribe", serverId: s.id }, "unsubscribed")).toEqual({ type: "unsubscribed", serverId: s.id });
    const m = await send("hello", member);
    await ownerWs.waitFor((f) => f.type === "channel_activity" && f.messageId === m.id);
    expect(second.frames.filter(ofType("channel_activity"))).toEqual([]);
    const both = await second.request({ action: "subscribe", serverId: s.id, channelId: s.channelId }, "error");
    expect(both).toMatchObject({ type: "error", code: "invalid_request" });
    // Nobody types into a whole server.
    ownerWs.send({ action: "typing", channelId: s.id });
    expect(await ownerWs.waitFor((f) => f.type === "error" && f.channelId === s.id)).toMatchObject({ code: "not_found" });
  });
});

describe("read_state", () => {
  it("reaches every connection of the reader, and no one else", async () => {
    const { s, member, send } = await room();
    const [phone, laptop, ownerWs] = [await live.open(member), await live.open(member), await live.open(s.owner)];
    const m = await send(`@${member.username} look`, s.owner);
    const read = await live.api.call("PUT", `/servers/${s.id}/channels/${s.channelId}/read`, { token: member.token, body: { messageId: m.id } });
    const expected = { type: "read_state", channelId: s.channelId, conversationId: null, lastReadMessageId: m.id, mentionCount: 0 };
    expect(read.body).toEqual({ channelId: s.channelId, conversationId: null, lastReadMessageId: m.id, mentionCount: 0 });
    for (const ws of [phone, laptop]) expect(await ws.waitFor(ofType("read_state"))).toEqual(expected);
    // The owner's own read shows the fan-out for reads has run; the member's read never reached them.
    await live.api.call("PUT", `/servers/${s.id}/channels/${s.channelId}/read`, { token: s.owner.token, body: { messageId: m.id } });
    await ownerWs.waitFor(ofType("read_state"));
    expect(ownerWs.frames.filter(ofType("read_state"))).toHaveLength(1);
  });
});

describe("catching up with cursors", () => {
  it("every message event carries a cursor; after a drop, /changes from the last one gives exactly what was missed", async () => {
    const { s, member, messages, send } = await room();
    const old = await send("old, far above the newest page", s.owner);
    const doomed = await send("will be deleted", s.owner);
    const ws = await live.open(member);
    await subscribe(ws, s.channelId);
    const seen = await send("seen live");
    const event = await ws.waitFor((f) => f.type === "new_message" && f.message.id === seen.id);
    expect(event).toEqual({ type: "new_message", message: seen, cursor: expect.any(String) });
    await ws.close();

    // While away: 120 new messages, an old one edited, another deleted.
    for (let i = 0; i < 120; i++) await send(`missed ${i}`, s.owner);
    const edited = (await live.api.call("PATCH", `${messages}/${old.id}`, { token: s.owner.token, body: { content: "edited while away" } })).body;
    await live.api.call("DELETE", `${messages}/${doomed.id}`, { token: s.owner.token });

    const changes: Frame[] = [];
    let cursor = event.cursor as string;
    for (;;) {
      const page = (await live.api.call("GET", `/servers/${s.id}/channels/${s.channelId}/changes?since=${cursor}&limit=50`, { token: member.token })).body;
      changes.push(...page.changes);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    expect(changes).toHaveLength(122);
    expect(changes.filter((c) => c.type === "message" && c.message.content.startsWith("missed"))).toHaveLength(120);
    expect(changes.at(-2)).toEqual({ type: "message", message: edited });
    expect(changes.at(-1)).toEqual({ type: "message_deleted", messageId: doomed.id });
    expect(edited.revision).toBe(2);

    // Back online from that cursor: the next event continues it.
    const again = await live.open(member);
    await subscribe(again, s.channelId);
    const next = await send("back");
    const nextEvent = await again.waitFor((f) => f.type === "new_message" && f.message.id === next.id);
    const after = (await live.api.call("GET", `/servers/${s.id}/channels/${s.channelId}/changes?since=${cursor}`, { token: member.token })).body;
    expect(after).toEqual({ changes: [{ type: "message", message: next }], cursor: nextEvent.cursor, hasMore: false });
  }, 120_000);

  it("DM events carry their conversation's cursor", async () => {
    const [a, b] = [await live.api.user(), await live.api.user()];
    const id = (await live.api.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body.id;
    const bWs = await live.open(b);
    const head = (await live.api.call("GET", `/dms/${id}/changes`, { token: b.token })).body.cursor;
    const m = (await live.api.call("POST", `/dms/${id}/messages`, { token: a.token, body: { content: "psst" } })).body;
    const got = await bWs.waitFor(ofType("new_dm_message"));
    expect(got).toEqual({ type: "new_dm_message", message: m, cursor: expect.any(String) });
    await live.api.call("DELETE", `/dms/${id}/messages/${m.id}`, { token: a.token });
    const deleted = await bWs.waitFor(ofType("dm_message_deleted"));
    expect(deleted).toEqual({ type: "dm_message_deleted", conversationId: id, messageId: m.id, cursor: expect.any(String) });
    const page = (await live.api.call("GET", `/dms/${id}/changes?since=${head}`, { token: b.token })).body;
    expect(page).toEqual({ changes: [{ type: "message_deleted", messageId: m.id }], cursor: deleted.cursor, hasMore: false });
  });
});
