/**
 * "Beyond the seed" over real WebSockets on the running runtime: edits and deletions, typing,
 * presence, members joining and leaving, new channels, a kicked member cut off at once, and a
 * deleted server — each seen by the other side as it happens.
 */
import { describe, expect, it } from "vitest";
import { liveRuntime, subscribe } from "./wsClient.ts";

const live = liveRuntime();

const ofType = (type: string) => (f: Record<string, any>) => f.type === type;

describe("live events", () => {
  it("an edit and a deletion reach every subscriber", async () => {
    const { s, member, ownerWs, memberWs, messages } = await live.room();
    const m = (await live.api.call("POST", messages, { token: member.token, body: { content: "draft" } })).body;
    const edited = (await live.api.call("PATCH", `${messages}/${m.id}`, { token: member.token, body: { content: "final" } })).body;
    for (const ws of [ownerWs, memberWs]) {
      expect(await ws.waitFor(ofType("message_updated"))).toEqual({ type: "message_updated", message: edited, cursor: expect.any(String) });
    }
    expect((await live.api.call("DELETE", `${messages}/${m.id}`, { token: s.owner.token })).status).toBe(204);
    for (const ws of [ownerWs, memberWs]) {
      expect(await ws.waitFor(ofType("message_deleted"))).toEqual({ type: "message_deleted", channelId: s.channelId, messageId: m.id, cursor: expect.any(String) });
    }
  });

  it("typing reaches the channel's other subscribers, not the typist, and needs a subscription", async () => {
    const { s, member, ownerWs, memberWs } = await live.room();
    memberWs.send({ action: "typing", channelId: s.channelId });
    expect(await ownerWs.waitFor(ofType("typing"))).toEqual({
      type: "typing", channelId: s.channelId, user: { id: member.id, username: member.username, createdAt: member.createdAt, avatarUrl: null, bot: false },
    });
    const outsider = await live.open(await live.api.user());
    const refused = await outsider.request({ action: "typing", channelId: s.channelId }, "error");
    expect(refused).toMatchObject({ type: "error", code: "not_found" });
    // The owner's typing, sent after the member's reached the owner, is the marker: when it reaches
    // the member, it is the only typing the member has had (none of their own).
    ownerWs.send({ action: "typing", channelId: s.channelId });
    await memberWs.waitFor(ofType("typing"));
    expect(memberWs.frames.filter(ofType("typing")).map((f) => f.user.id)).toEqual([s.owner.id]);
  });

  it("presence: online at a user's first connection, offline at their last, to those sharing a server", async () => {
    const { s, ownerWs } = await live.room();
    const newcomer = await live.api.member(s);
    const first = await live.open(newcomer);
    expect(await ownerWs.waitFor((f) => f.type === "presence" && f.userId === newcomer.id)).toEqual({ type: "presence", userId: newcomer.id, online: true });
    const second = await live.open(newcomer);
    await second.close();
    // Closing one of two connections changes nothing. Once its $disconnect has uncounted it, the
    // newcomer's typing on the remaining connection is the marker: it reaches the owner after any
    // presence that close could have sent.
    await expect.poll(async () => (await live.rt.deps.db.entities.users.get({ userId: newcomer.id }).go({ consistent: true })).data?.connectionCount).toBe(1);
    await subscribe(first, s.channelId);
    first.send({ action: "typing", channelId: s.channelId });
    await ownerWs.waitFor((f) => f.type === "typing" && f.user.id === newcomer.id);
    expect(ownerWs.frames.filter((f) => f.type === "presence" && f.userId === newcomer.id)).toHaveLength(1);
    const roster = await live.api.call("GET", `/servers/${s.id}/members`, { token: s.owner.token });
    expect(roster.body.find((m: { user: { id: string } }) => m.user.id === newcomer.id).online).toBe(true);
    await first.close();
    expect(await ownerWs.waitFor((f) => f.type === "presence" && f.userId === newcomer.id && !f.online)).toEqual({
      type: "presence", userId: newcomer.id, online: false,
    });
    const after = await live.api.call("GET", `/servers/${s.id}/members`, { token: s.owner.token });
    expect(after.body.find((m: { user: { id: string } }) => m.user.id === newcomer.id).online).toBe(false);
  });

  it("member_joined and channel_created reach the server's listeners", async () => {
    const { s, memberWs } = await live.room();
    const joiner = await live.api.member(s);
    const joined = await memberWs.waitFor(ofType("member_joined"));
    expect(joined).toMatchObject({ serverId: s.id, member: { user: { id: joiner.id }, role: "member" } });
    const c = (await live.api.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "news" } })).body;
    // An event's channel has no `permissions`: each listener's are their own (docs/decisions.md).
    const { permissions: _own, ...channel } = c;
    expect(await memberWs.waitFor(ofType("channel_created"))).toEqual({ type: "channel_created", channel });
  });

  it("a kicked member is told, then their listening socket is closed; a new one cannot listen again", async () => {
    const { s, member, ownerWs, memberWs, messages } = await live.room();
    expect((await live.api.call("DELETE", `/servers/${s.id}/members/${member.id}`, { token: s.owner.token })).status).toBe(204);
    expect(await ownerWs.waitFor(ofType("member_left"))).toEqual({ type: "member_left", serverId: s.id, userId: member.id });
    // member_left first, then the close: the socket must subscribe again, under the membership check.
    expect(await memberWs.closed).toMatchObject({ code: 1000 });
    expect(memberWs.frames.filter((f) => f.type !== "subscribed")).toEqual([{ type: "member_left", serverId: s.id, userId: member.id }]);
    await live.api.call("POST", messages, { token: s.owner.token, body: { content: "after the kick" } });
    await ownerWs.waitFor((f) => f.type === "new_message" && f.message.content === "after the kick");
    const again = await live.open(member);
    expect(await subscribe(again, s.channelId)).toMatchObject({ type: "error", code: "not_found" });
  });

  it("server_deleted reaches everyone listening in the server", async () => {
    const { s, ownerWs, memberWs } = await live.room();
    expect((await live.api.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    for (const ws of [ownerWs, memberWs]) expect(await ws.waitFor(ofType("server_deleted"))).toEqual({ type: "server_deleted", serverId: s.id });
  });
});
