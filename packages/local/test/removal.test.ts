/**
 * Removal is authoritative (issue 15, "A kicked member can keep listening"), over real sockets:
 * once a kick, a leave (or a ban, which removes the same way) has answered, nothing of the
 * server reaches the removed user's sockets. "Nothing arrives" is shown by order: a later event
 * reaches another listener, while the removed user's sockets were closed before it was sent.
 */
import { describe, expect, it } from "vitest";
import type { TestUser } from "@agorusta/testing";
import { liveRuntime, subscribe, type Frame, type TestSocket } from "./wsClient.ts";

const live = liveRuntime();
const ofType = (type: string) => (f: Frame) => f.type === type;
const isOpen = (s: TestSocket) => s.ws.readyState === s.ws.OPEN;

/** A server, its owner listening on `general`, and a member with `sockets` sockets on two channels of it. */
async function room(sockets: number) {
  const s = await live.api.server();
  const second = (await live.api.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "second" } })).body.id as string;
  const member = await live.api.member(s);
  const ownerWs = await live.open(s.owner);
  await subscribe(ownerWs, s.channelId);
  const memberWs: TestSocket[] = [];
  for (let i = 0; i < sockets; i++) {
    const ws = await live.open(member);
    expect(await subscribe(ws, s.channelId)).toMatchObject({ type: "subscribed" });
    expect(await subscribe(ws, second)).toMatchObject({ type: "subscribed" });
    memberWs.push(ws);
  }
  return { s, second, member, ownerWs, memberWs };
}

/** After removal: a new message, a new channel and a join all reach the owner; the removed sockets are closed and got none. */
async function nothingMoreArrives(r: Awaited<ReturnType<typeof room>>) {
  for (const ws of r.memberWs) expect(await ws.closed).toMatchObject({ code: 1000 });
  const before = r.memberWs.map((ws) => ws.frames.length);
  const posted = await live.api.call("POST", `/servers/${r.s.id}/channels/${r.second}/messages`, { token: r.s.owner.token, body: { content: "later" } });
  expect(posted.status).toBe(201);
  // The owner listens to `general` only; a message there and a new channel are events it gets.
  await live.api.call("POST", `/servers/${r.s.id}/channels/${r.s.channelId}/messages`, { token: r.s.owner.token, body: { content: "later too" } });
  await live.api.call("POST", `/servers/${r.s.id}/channels`, { token: r.s.owner.token, body: { name: "third" } });
  await r.ownerWs.waitFor((f) => f.type === "new_message" && f.message.content === "later too");
  await r.ownerWs.waitFor(ofType("channel_created"));
  expect(r.memberWs.map((ws) => ws.frames.length)).toEqual(before);
  expect(r.memberWs.some(isOpen)).toBe(false);
}

describe("a removed member stops listening at once", () => {
  it("kick: every socket of theirs that listened is told member_left, then closed; later events reach only the others", async () => {
    const r = await room(3);
    expect((await live.api.call("DELETE", `/servers/${r.s.id}/members/${r.member.id}`, { token: r.s.owner.token })).status).toBe(204);
    for (const ws of r.memberWs) expect(await ws.waitFor(ofType("member_left"))).toMatchObject({ userId: r.member.id });
    await nothingMoreArrives(r);
  });

  it("leave: the same, for the one who left", async () => {
    const r = await room(2);
    expect((await live.api.call("DELETE", `/servers/${r.s.id}/members/me`, { token: r.member.token })).status).toBe(204);
    await nothingMoreArrives(r);
  });

  it("a socket of theirs that listened to nothing of the server stays open", async () => {
    const r = await room(1);
    const elsewhere = await live.api.server(r.member);
    const bystander = await live.open(r.member);
    await subscribe(bystander, elsewhere.channelId);
    expect((await live.api.call("DELETE", `/servers/${r.s.id}/members/${r.member.id}`, { token: r.s.owner.token })).status).toBe(204);
    await nothingMoreArrives(r);
    await live.api.call("POST", `/servers/${elsewhere.id}/channels/${elsewhere.channelId}/messages`, { token: r.member.token, body: { content: "still here" } });
    expect(await bystander.waitFor(ofType("new_message"))).toMatchObject({ message: { content: "still here" } });
  });

  it("a subscribe racing the kick either loses (not_found) or its socket is closed: nothing of the server arrives after", async () => {
    for (let round = 0; round < 5; round++) {
      const s = await live.api.server();
      const member: TestUser = await live.api.member(s);
      const ownerWs = await live.open(s.owner);
      await subscribe(ownerWs, s.channelId);
      const ws = await live.open(member);
      const [answer, kicked] = await Promise.all([
        subscribe(ws, s.channelId),
        live.api.call("DELETE", `/servers/${s.id}/members/${member.id}`, { token: s.owner.token }),
      ]);
      expect(kicked.status).toBe(204);
      if (answer.type === "subscribed") expect(await ws.closed).toMatchObject({ code: 1000 });
      else expect(answer).toMatchObject({ code: "not_found" });
      await live.api.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: s.owner.token, body: { content: `round ${round}` } });
      await ownerWs.waitFor((f) => f.type === "new_message" && f.message.content === `round ${round}`);
      // member_left (to every socket of theirs) may still be arriving; nothing of the channel may.
      expect(ws.frames.filter((f) => f.type === "new_message")).toEqual([]);
    }
  });
});

describe("the handshake cap, on a real socket", () => {
  it("refuses a user's 21st open connection with HTTP 429 and the contract's body", async () => {
    const u = await live.api.user();
    for (let i = 0; i < 20; i++) await live.open(u);
    const refused = await live.open(u).then(
      () => null,
      (e: { status?: number; body?: string }) => e,
    );
    expect(refused?.status).toBe(429);
    expect(JSON.parse(refused!.body!)).toMatchObject({ error: { code: "rate_limited" } });
  });
});
