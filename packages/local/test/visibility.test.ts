/**
 * "Nothing leaks" (issue 23 item 2) over real WebSockets on the running runtime: a member who
 * cannot see a channel gets none of its events (`new_message`, edits, deletions, reactions,
 * typing, `channel_activity`), cannot subscribe to it, finds no read state of it; and a member who
 * LOSES the channel (an overwrite added, a role taken away) stops getting it within 5 seconds and
 * is told `channel_deleted`, while one who gains it is told `channel_created`.
 *
 * "Nothing arrives" is shown by order: a later event in a channel the member still sees reaches
 * their socket, after the events of the hidden channel were sent.
 *
 * Roles, member roles and overwrites go through their routes (which call `permissionsChanged`);
 * one test writes an overwrite straight to the table (the change and the roles version bumped, as
 * the route does) to show the deliveries' own filter, before anyone is told.
 */
import { describe, expect, it } from "vitest";
import { PERMISSIONS, toWire } from "@agorusta/core/permissions";
import type { Db } from "@agorusta/core";
import { permissionsChanged } from "@agorusta/functions/delivery/permissionsChanged";
import { liveRuntime, subscribe, type Frame, type TestSocket } from "./wsClient.ts";

const live = liveRuntime({ usageLimits: "off" });
// Each test makes a server, roles, two channels and a dozen requests and frames: room on a loaded machine.
const slow = { timeout: 90_000 };
const VIEW = toWire(PERMISSIONS.VIEW_CHANNEL);

async function subscribeServer(s: TestSocket, serverId: string): Promise<Frame> {
  const before = s.frames.length;
  s.send({ action: "subscribe", serverId });
  return s.waitFor((f) => s.frames.indexOf(f) >= before && (f.type === "subscribed" || f.type === "error") && f.serverId === serverId);
}

/** The roles version bumped, as every permission-changing write does in its transaction. */
async function bumpRoles(db: Db, serverId: string) {
  const { data } = await db.entities.serverRoles.get({ serverId }).go({ consistent: true });
  await db.entities.serverRoles.put({ ...data!, version: data!.version + 1 }).go();
}

/** `staff` sees the channel, `@everyone` does not: a staff-only channel. */
const staffOnly = (serverId: string, roleId: string) => [
  { id: serverId, type: "role" as const, allow: "0", deny: VIEW },
  { id: roleId, type: "role" as const, allow: VIEW, deny: "0" },
];

/**
 * A server with a second channel `staff` that only the role `staff` sees; the member holds the role
 * and listens with one socket on `general`, on `staff` and on the whole server; the owner listens on
 * both channels. All through the routes.
 */
async function room() {
  const { db } = live.rt.deps;
  const s = await live.api.server();
  const as = { token: s.owner.token };
  const staff = (await live.api.call("POST", `/servers/${s.id}/channels`, { ...as, body: { name: "staff" } })).body.id as string;
  const role = (await live.api.call("POST", `/servers/${s.id}/roles`, { ...as, body: { name: "staff" } })).body.id as string;
  const member = await live.api.member(s);
  const grant = (userId: string) => live.api.call("PUT", `/servers/${s.id}/members/${userId}/roles/${role}`, as);
  const revoke = (userId: string) => live.api.call("DELETE", `/servers/${s.id}/members/${userId}/roles/${role}`, as);
  expect((await grant(member.id)).status).toBe(204);
  for (const o of staffOnly(s.id, role)) {
    expect((await live.api.call("PUT", `/servers/${s.id}/channels/${staff}/overwrites/${o.id}`, { ...as, body: { type: o.type, allow: o.allow, deny: o.deny } })).status).toBe(204);
  }
  const [ownerWs, memberWs] = await Promise.all([live.open(s.owner), live.open(member)]);
  for (const channelId of [s.channelId, staff]) {
    expect(await subscribe(ownerWs, channelId)).toMatchObject({ type: "subscribed" });
    expect(await subscribe(memberWs, channelId)).toMatchObject({ type: "subscribed" });
  }
  expect(await subscribeServer(memberWs, s.id)).toMatchObject({ type: "subscribed" });
  const post = async (channelId: string, content: string) => {
    const res = await live.api.call("POST", `/servers/${s.id}/channels/${channelId}/messages`, { ...as, body: { content } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  return { db, s, staff, role, member, ownerWs, memberWs, post, grant, revoke };
}

type Room = Awaited<ReturnType<typeof room>>;

/** Events about the channel, after index `from` (replies to the socket's own frames, such as a refused subscribe, are not events). */
const about = (ws: TestSocket, channelId: string, from: number) =>
  ws.frames
    .slice(from)
    .filter((f) => f.type !== "error" && f.type !== "subscribed" && (f.channelId === channelId || f.message?.channelId === channelId || f.channel?.id === channelId));

/**
 * Every kind of channel event happens in `staff` (a message, its edit, a reaction, its deletion,
 * typing from the owner), then a message in `general`: once that one reached the member, nothing
 * of `staff` did.
 */
async function staffIsSilent(r: Room, from: number) {
  const { s, staff, ownerWs, memberWs, post } = r;
  const path = `/servers/${s.id}/channels/${staff}/messages`;
  const m = await post(staff, "secret");
  expect((await live.api.call("PATCH", `${path}/${m.id}`, { token: s.owner.token, body: { content: "secret, edited" } })).status).toBe(200);
  expect((await live.api.call("PUT", `${path}/${m.id}/reactions/${encodeURIComponent("👍")}/me`, { token: s.owner.token })).status).toBe(204);
  ownerWs.send({ action: "typing", channelId: staff });
  expect((await live.api.call("DELETE", `${path}/${m.id}`, { token: s.owner.token })).status).toBe(204);
  // The owner saw all of it; the member, after the mark, none.
  await ownerWs.waitFor((f) => f.type === "message_deleted" && f.messageId === m.id);
  const later = await post(s.channelId, "everyone sees this");
  await memberWs.waitFor((f) => f.type === "new_message" && f.message.id === later.id);
  await memberWs.waitFor((f) => f.type === "channel_activity" && f.messageId === later.id);
  expect(about(memberWs, staff, from).filter((f) => f.type !== "channel_deleted")).toEqual([]);
}

describe("a member who cannot see a channel", slow, () => {
  it("cannot subscribe to it (not_found, as a missing channel), gets none of its events, and has no read state of it", async () => {
    const r = await room();
    const outsider = await live.api.member(r.s);
    const ws = await live.open(outsider);
    expect(await subscribe(ws, r.staff)).toMatchObject({ type: "error", code: "not_found", channelId: r.staff });
    expect(await subscribe(ws, r.s.channelId)).toMatchObject({ type: "subscribed" });
    expect(await subscribeServer(ws, r.s.id)).toMatchObject({ type: "subscribed" });
    ws.send({ action: "typing", channelId: r.staff });
    await staffIsSilent({ ...r, memberWs: ws }, 0);
    expect(about(ws, r.staff, 0)).toEqual([]);
    const states = (await live.api.call("GET", "/read-states", { token: outsider.token })).body as Array<{ channelId: string | null }>;
    expect(states.map((x) => x.channelId)).toContain(r.s.channelId);
    expect(states.map((x) => x.channelId)).not.toContain(r.staff);
    // The member who holds the role sees it all.
    const memberStates = (await live.api.call("GET", "/read-states", { token: r.member.token })).body as Array<{ channelId: string | null }>;
    expect(memberStates.map((x) => x.channelId)).toContain(r.staff);
  });
});

describe("losing a channel", slow, () => {
  it("a role taken away (DELETE …/members/:userId/roles/:roleId): within 5 s the member's socket is told channel_deleted and hears nothing more of it; subscribing again is refused", async () => {
    const r = await room();
    const { s, staff, member, memberWs, post } = r;
    // Before: the member hears the channel, messages and activity alike.
    const seen = await post(staff, "before");
    await memberWs.waitFor((f) => f.type === "new_message" && f.message.id === seen.id);
    await memberWs.waitFor((f) => f.type === "channel_activity" && f.messageId === seen.id);

    const mark = memberWs.frames.length;
    expect((await r.revoke(member.id)).status).toBe(204);
    expect(await memberWs.waitFor((f) => f.type === "channel_deleted" && f.channelId === staff, 5000)).toEqual({ type: "channel_deleted", serverId: s.id, channelId: staff });
    await staffIsSilent(r, mark);
    expect(await subscribe(memberWs, staff)).toMatchObject({ type: "error", code: "not_found" });
    // Typing into it: the subscription is gone, so refused as for a channel never subscribed to.
    expect(await memberWs.request({ action: "typing", channelId: staff }, "error")).toMatchObject({ code: "not_found" });
  });

  it("an overwrite added: nothing more reaches the member even before permissionsChanged runs (the audience is filtered at each send)", async () => {
    const r = await room();
    const { db, s, staff, member, memberWs } = r;
    // A member overwrite denying the channel, written without anyone being told.
    await db.entities.channels
      .patch({ serverId: s.id, channelId: staff })
      .set({ overwrites: [...staffOnly(s.id, r.role), { id: member.id, type: "member", allow: "0", deny: VIEW }] })
      .go();
    await bumpRoles(db, s.id);
    await staffIsSilent(r, memberWs.frames.length);
    // Then told, as the overwrite route does.
    const mark = memberWs.frames.length;
    await permissionsChanged(live.rt.deps, { serverId: s.id, channelsBefore: [{ channelId: staff, overwrites: staffOnly(s.id, r.role) }] });
    expect(await memberWs.waitFor((f) => memberWs.frames.indexOf(f) >= mark && f.type === "channel_deleted", 5000)).toMatchObject({ channelId: staff });
  });
});

describe("gaining a channel", slow, () => {
  it("a role given (PUT …/roles/:roleId): is told channel_created with the channel and their own permissions in it, and may then subscribe", async () => {
    const r = await room();
    const { s, staff } = r;
    const newcomer = await live.api.member(s);
    const ws = await live.open(newcomer);
    expect(await subscribeServer(ws, s.id)).toMatchObject({ type: "subscribed" });
    expect(await subscribe(ws, staff)).toMatchObject({ type: "error", code: "not_found" });
    expect((await r.grant(newcomer.id)).status).toBe(204);
    const created = await ws.waitFor((f) => f.type === "channel_created", 5000);
    expect(created.channel).toMatchObject({ id: staff, serverId: s.id, name: "staff", permissions: expect.stringMatching(/^\d+$/) });
    expect(BigInt(created.channel.permissions) & PERMISSIONS.VIEW_CHANNEL).toBe(PERMISSIONS.VIEW_CHANNEL);
    expect(await subscribe(ws, staff)).toMatchObject({ type: "subscribed" });
    // The owner, who saw it all along, is told nothing.
    expect(r.ownerWs.frames.filter((f) => f.type === "channel_created" || f.type === "channel_deleted")).toEqual([]);
  });
});
