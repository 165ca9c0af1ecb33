/**
 * Channels and categories (issue 23, api.md "Roles, channels, moderation"): creating, editing,
 * reordering and deleting them, their overwrites, slowmode, and every channel-scoped route
 * answering with the caller's permissions in that channel. Roles are given by writing the
 * server's roles item and the member's `roleIds` directly: the roles routes are another part.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { testApi, type TestApi, type TestServer, type TestUser } from "@agorusta/testing";
import type { PurgeWorker } from "@agorusta/local/purgeWorker";
import { DEFAULT_EVERYONE, PERMISSIONS, toWire } from "@agorusta/core/permissions";
import { defaultEveryone, purgeChannel } from "@agorusta/core/servers";
import { newId } from "@agorusta/core/store";

// Each test makes a server and a few members (argon2 hashes): slow on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});

const P = PERMISSIONS;
const wire = (...bits: bigint[]) => toWire(bits.reduce((a, b) => a | b, 0n));
const channels = (s: { id: string }) => `/servers/${s.id}/channels`;
const at = (s: { id: string }, cid: string) => `/servers/${s.id}/channels/${cid}`;

/** Gives the server a role with `permissions` at `position` and hands it to `users`; answers its id. */
async function giveRole(s: TestServer, users: TestUser[], permissions: bigint, position = 1): Promise<string> {
  const { db } = t.deps;
  const roleId = newId();
  const { data: current } = await db.entities.serverRoles.get({ serverId: s.id }).go({ consistent: true });
  const server = (await db.entities.servers.get({ serverId: s.id }).go()).data!;
  const roles = current?.roles ?? [defaultEveryone(s.id, server.createdAt)];
  const role = { id: roleId, name: `role ${position}`, position, permissions: toWire(permissions), createdAt: server.createdAt };
  await db.entities.serverRoles.put({ serverId: s.id, roles: [...roles, role], version: (current?.version ?? 0) + 1 }).go();
  for (const u of users) await db.entities.members.patch({ serverId: s.id, userId: u.id }).add({ roleIds: [roleId] }).go();
  return roleId;
}

const create = (s: TestServer, body: object, token = s.owner.token) => t.call("POST", channels(s), { token, body });
const detailOf = async (s: { id: string }, u: TestUser) => (await t.call("GET", `/servers/${s.id}`, { token: u.token })).body;

describe("POST /servers/:id/channels (categories, topics, overwrites)", () => {
  it("creates a category and a channel inside it, placed last, copying the category's overwrites", async () => {
    const s = await t.server();
    const cat = await create(s, { name: "Staff", type: "category", overwrites: [{ id: s.id, type: "role", allow: "0", deny: wire(P.VIEW_CHANNEL) }] });
    expect(cat.status).toBe(201);
    expect(cat.body).toMatchObject({ type: "category", parentId: null, position: 0, overwrites: [{ id: s.id, type: "role", allow: "0", deny: wire(P.VIEW_CHANNEL) }] });
    const a = await create(s, { name: "mods", parentId: cat.body.id, topic: "  for the team " });
    const b = await create(s, { name: "mods-2", parentId: cat.body.id, overwrites: [] });
    expect(a.body).toMatchObject({ type: "text", parentId: cat.body.id, position: 0, topic: "for the team", overwrites: cat.body.overwrites });
    // Given overwrites (even none) are kept as given.
    expect(b.body).toMatchObject({ position: 1, overwrites: [] });
  });

  it("refuses bad input with 400, an unknown category with 404, and a member without MANAGE_CHANNELS with 403", async () => {
    const s = await t.server();
    const text = (await create(s, { name: "plain" })).body;
    const cat = (await create(s, { name: "cat", type: "category" })).body;
    for (const body of [
      { name: "x", type: "voice" },
      { name: "x", topic: "t".repeat(1025) },
      { name: "x", overwrites: [{ id: s.id, type: "role", allow: "abc", deny: "0" }] },
      { name: "x", overwrites: [{ id: s.id, type: "role", allow: wire(P.BAN_MEMBERS), deny: "0" }] },
      { name: "x", overwrites: [{ id: s.id, type: "role", allow: wire(P.SEND_MESSAGES), deny: wire(P.SEND_MESSAGES) }] },
      { name: "x", type: "category", parentId: cat.id },
    ]) {
      expect((await create(s, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await create(s, { name: "x", parentId: text.id })).status).toBe(404);
    expect((await create(s, { name: "x", overwrites: [{ id: "01ARZ3NDEKTSV4RRFFQ69G5FAV", type: "role", allow: "0", deny: "0" }] })).status).toBe(404);
    const member = await t.member(s);
    expect((await create(s, { name: "mine" }, member.token)).status).toBe(403);
  });

  it("lets a member with MANAGE_CHANNELS create, but give overwrites only with MANAGE_ROLES and only bits they hold", async () => {
    const s = await t.server();
    const mod = await t.member(s);
    await giveRole(s, [mod], P.MANAGE_CHANNELS);
    expect((await create(s, { name: "by-mod" }, mod.token)).status).toBe(201);
    const deny = { id: s.id, type: "role", allow: "0", deny: wire(P.VIEW_CHANNEL) };
    expect((await create(s, { name: "hidden", overwrites: [deny] }, mod.token)).status).toBe(403);
    await giveRole(s, [mod], P.MANAGE_ROLES, 2);
    expect((await create(s, { name: "hidden", overwrites: [deny] }, mod.token)).status).toBe(201);
    // MANAGE_MESSAGES is not theirs to hand out.
    const grant = { id: s.id, type: "role", allow: wire(P.MANAGE_MESSAGES), deny: "0" };
    expect((await create(s, { name: "granted", overwrites: [grant] }, mod.token)).body.error.code).toBe("forbidden");
  });
});

describe("What a member may not view does not exist for them", () => {
  it("a channel denying @everyone VIEW_CHANNEL is 404 on every channel route and absent from GET /servers/:id, and visible again with a member overwrite", async () => {
    const s = await t.server();
    const member = await t.member(s);
    const secret = (await create(s, { name: "secret", overwrites: [{ id: s.id, type: "role", allow: "0", deny: wire(P.VIEW_CHANNEL) }] })).body;
    const posted = await t.call("POST", `${at(s, secret.id)}/messages`, { token: s.owner.token, body: { content: "staff only" } });
    expect(posted.status).toBe(201);
    const mid = posted.body.id;
    const routes: Array<[string, string, object?]> = [
      ["GET", `${at(s, secret.id)}/messages`],
      ["POST", `${at(s, secret.id)}/messages`, { content: "hi" }],
      ["GET", `${at(s, secret.id)}/changes`],
      ["PATCH", `${at(s, secret.id)}/messages/${mid}`, { content: "x" }],
      ["DELETE", `${at(s, secret.id)}/messages/${mid}`],
      ["PUT", `${at(s, secret.id)}/messages/${mid}/reactions/${encodeURIComponent("👍")}/me`],
      ["GET", `${at(s, secret.id)}/messages/${mid}/reactions/${encodeURIComponent("👍")}`],
      ["POST", `${at(s, secret.id)}/attachments`, { filename: "a.png", contentType: "image/png", size: 10 }],
      ["PUT", `${at(s, secret.id)}/read`, { messageId: mid }],
      ["PATCH", at(s, secret.id), { topic: "mine now" }],
      ["DELETE", at(s, secret.id)],
      ["PUT", `${at(s, secret.id)}/overwrites/${member.id}`, { type: "member", allow: "0", deny: "0" }],
    ];
    for (const [method, path, body] of routes) {
      const res = await t.call(method, path, { token: member.token, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.message, `${method} ${path}`).toBe("No such channel.");
    }
    expect((await detailOf(s, member)).channels.map((c: { name: string }) => c.name)).toEqual(["general"]);
    expect((await detailOf(s, s.owner)).channels.map((c: { name: string }) => c.name)).toEqual(["general", "secret"]);

    const put = await t.call("PUT", `${at(s, secret.id)}/overwrites/${member.id}`, { token: s.owner.token, body: { type: "member", allow: wire(P.VIEW_CHANNEL), deny: "0" } });
    expect(put.status).toBe(204);
    const seen = (await detailOf(s, member)).channels.find((c: { id: string }) => c.id === secret.id);
    expect(seen.permissions).toBe(toWire(DEFAULT_EVERYONE));
    expect((await t.call("GET", `${at(s, secret.id)}/messages`, { token: member.token })).body.map((m: { content: string }) => m.content)).toEqual(["staff only"]);
  });

  it("an overwrite change bumps the server's roles version in the same transaction", async () => {
    const s = await t.server();
    const version = async () => (await t.deps.db.entities.serverRoles.get({ serverId: s.id }).go({ consistent: true })).data?.version ?? 0;
    const before = await version();
    await t.call("PUT", `${at(s, s.channelId)}/overwrites/${s.id}`, { token: s.owner.token, body: { type: "role", allow: "0", deny: wire(P.SEND_MESSAGES) } });
    expect(await version()).toBe(before + 1);
    await t.call("DELETE", `${at(s, s.channelId)}/overwrites/${s.id}`, { token: s.owner.token });
    expect(await version()).toBe(before + 2);
    // Removing what is not there changes nothing.
    expect((await t.call("DELETE", `${at(s, s.channelId)}/overwrites/${s.id}`, { token: s.owner.token })).status).toBe(204);
    expect(await version()).toBe(before + 2);
  });
});

describe("Permissions in a channel decide each action (403)", () => {
  it("read-only: no SEND_MESSAGES refuses sends, edits and uploads; history still reads", async () => {
    const s = await t.server();
    const member = await t.member(s);
    const mine = (await t.call("POST", `${at(s, s.channelId)}/messages`, { token: member.token, body: { content: "before" } })).body.id;
    await t.call("PUT", `${at(s, s.channelId)}/overwrites/${s.id}`, { token: s.owner.token, body: { type: "role", allow: "0", deny: wire(P.SEND_MESSAGES) } });
    expect((await t.call("POST", `${at(s, s.channelId)}/messages`, { token: member.token, body: { content: "hi" } })).status).toBe(403);
    expect((await t.call("PATCH", `${at(s, s.channelId)}/messages/${mine}`, { token: member.token, body: { content: "x" } })).status).toBe(403);
    expect((await t.call("POST", `${at(s, s.channelId)}/attachments`, { token: member.token, body: { filename: "a.png", contentType: "image/png", size: 10 } })).status).toBe(403);
    expect((await t.call("GET", `${at(s, s.channelId)}/messages`, { token: member.token })).status).toBe(200);
    // Their own message they may still delete; the owner posts.
    expect((await t.call("POST", `${at(s, s.channelId)}/messages`, { token: s.owner.token, body: { content: "announcement" } })).status).toBe(201);
    expect((await t.call("DELETE", `${at(s, s.channelId)}/messages/${mine}`, { token: member.token })).status).toBe(204);
  });

  it("no READ_MESSAGE_HISTORY: history, changes and reactors 403, sending still works", async () => {
    const s = await t.server();
    const member = await t.member(s);
    await t.call("PUT", `${at(s, s.channelId)}/overwrites/${member.id}`, { token: s.owner.token, body: { type: "member", allow: "0", deny: wire(P.READ_MESSAGE_HISTORY) } });
    const sent = await t.call("POST", `${at(s, s.channelId)}/messages`, { token: member.token, body: { content: "hi" } });
    expect(sent.status).toBe(201);
    expect((await t.call("GET", `${at(s, s.channelId)}/messages`, { token: member.token })).status).toBe(403);
    expect((await t.call("GET", `${at(s, s.channelId)}/changes`, { token: member.token })).status).toBe(403);
    expect((await t.call("GET", `${at(s, s.channelId)}/messages/${sent.body.id}/reactions/${encodeURIComponent("👍")}`, { token: member.token })).status).toBe(403);
  });

  it("no ADD_REACTIONS: a new emoji is 403, joining one already there is allowed; no ATTACH_FILES: uploads 403", async () => {
    const s = await t.server();
    const member = await t.member(s);
    const mid = (await t.call("POST", `${at(s, s.channelId)}/messages`, { token: s.owner.token, body: { content: "react" } })).body.id;
    const react = (emoji: string, token: string) => t.call("PUT", `${at(s, s.channelId)}/messages/${mid}/reactions/${encodeURIComponent(emoji)}/me`, { token });
    await t.call("PUT", `${at(s, s.channelId)}/overwrites/${s.id}`, { token: s.owner.token, body: { type: "role", allow: "0", deny: wire(P.ADD_REACTIONS, P.ATTACH_FILES) } });
    expect((await react("🎉", member.token)).status).toBe(403);
    expect((await react("🎉", s.owner.token)).status).toBe(204);
    expect((await react("🎉", member.token)).status).toBe(204);
    expect((await t.call("POST", `${at(s, s.channelId)}/attachments`, { token: member.token, body: { filename: "a.png", contentType: "image/png", size: 10 } })).status).toBe(403);
  });

  it("MANAGE_MESSAGES in the channel deletes others' messages; without it, 403", async () => {
    const s = await t.server();
    const [author, mod, other] = [await t.member(s), await t.member(s), await t.member(s)];
    const roleId = await giveRole(s, [mod], 0n);
    const second = (await create(s, { name: "modded", overwrites: [{ id: roleId, type: "role", allow: wire(P.MANAGE_MESSAGES), deny: "0" }] })).body;
    const post = async (cid: string) => (await t.call("POST", `${at(s, cid)}/messages`, { token: author.token, body: { content: "x" } })).body.id;
    const inSecond = await post(second.id);
    const inGeneral = await post(s.channelId);
    expect((await t.call("DELETE", `${at(s, second.id)}/messages/${inSecond}`, { token: other.token })).status).toBe(403);
    expect((await t.call("DELETE", `${at(s, s.channelId)}/messages/${inGeneral}`, { token: mod.token })).status).toBe(403);
    expect((await t.call("DELETE", `${at(s, second.id)}/messages/${inSecond}`, { token: mod.token })).status).toBe(204);
  });

  it("a timed-out member reads but neither sends nor reacts", async () => {
    const s = await t.server();
    const member = await t.member(s);
    const mid = (await t.call("POST", `${at(s, s.channelId)}/messages`, { token: s.owner.token, body: { content: "x" } })).body.id;
    await t.call("PUT", `${at(s, s.channelId)}/messages/${mid}/reactions/${encodeURIComponent("👍")}/me`, { token: s.owner.token });
    await t.deps.db.entities.members.patch({ serverId: s.id, userId: member.id }).set({ timeoutUntil: new Date(Date.now() + 3_600_000).toISOString() }).go();
    expect((await t.call("GET", `${at(s, s.channelId)}/messages`, { token: member.token })).status).toBe(200);
    expect((await t.call("POST", `${at(s, s.channelId)}/messages`, { token: member.token, body: { content: "hi" } })).status).toBe(403);
    expect((await t.call("PUT", `${at(s, s.channelId)}/messages/${mid}/reactions/${encodeURIComponent("👍")}/me`, { token: member.token })).status).toBe(403);
  });
});

describe("Slowmode", () => {
  it("lets a member post once per slowmodeSeconds (429 with retry-after), spares MANAGE_MESSAGES, and a repeated nonce still answers 200", async () => {
    const s = await t.server();
    const [member, mod] = [await t.member(s), await t.member(s)];
    await giveRole(s, [mod], P.MANAGE_MESSAGES);
    const edit = await t.call("PATCH", at(s, s.channelId), { token: s.owner.token, body: { slowmodeSeconds: 30 } });
    expect(edit).toMatchObject({ status: 200, body: { slowmodeSeconds: 30 } });
    const send = (u: TestUser, body: object) => t.call("POST", `${at(s, s.channelId)}/messages`, { token: u.token, body });
    expect((await send(member, { content: "one", nonce: "n1" })).status).toBe(201);
    const refused = await send(member, { content: "two" });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    const wait = Number(refused.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(30);
    expect((await send(member, { content: "one", nonce: "n1" })).status).toBe(200);
    for (const u of [mod, s.owner]) {
      expect((await send(u, { content: "a" })).status).toBe(201);
      expect((await send(u, { content: "b" })).status).toBe(201);
    }
    // Once the wait is over (the writer's clock moved on), the member posts again.
    const clock = t.deps.db.clock;
    t.deps.db.clock = { now: () => clock.now() + 31_000 };
    try {
      expect((await send(member, { content: "three" })).status).toBe(201);
    } finally {
      t.deps.db.clock = clock;
    }
  });

  it("refuses slowmodeSeconds outside 0–21600 and topics past 1024 characters with 400", async () => {
    const s = await t.server();
    for (const body of [{ slowmodeSeconds: 21_601 }, { slowmodeSeconds: -1 }, { slowmodeSeconds: 1.5 }, { topic: "t".repeat(1025) }, { name: "" }]) {
      expect((await t.call("PATCH", at(s, s.channelId), { token: s.owner.token, body })).status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe("PATCH /servers/:id/channels/:cid", () => {
  it("renames (the old name is free, a taken one is 409), sets and clears a topic, moves into and out of a category", async () => {
    const s = await t.server();
    const other = (await create(s, { name: "other" })).body;
    const cat = (await create(s, { name: "cat", type: "category" })).body;
    const renamed = await t.call("PATCH", at(s, s.channelId), { token: s.owner.token, body: { name: "lobby", topic: "Say hi" } });
    expect(renamed).toMatchObject({ status: 200, body: { name: "lobby", topic: "Say hi" } });
    expect((await create(s, { name: "General" })).status).toBe(201);
    expect((await t.call("PATCH", at(s, other.id), { token: s.owner.token, body: { name: "LOBBY" } })).body.error.code).toBe("channel_name_taken");
    // Only the case changes: its own name.
    expect((await t.call("PATCH", at(s, s.channelId), { token: s.owner.token, body: { name: "Lobby" } })).body.name).toBe("Lobby");
    expect((await t.call("PATCH", at(s, other.id), { token: s.owner.token, body: { parentId: cat.id, topic: null } })).body).toMatchObject({ parentId: cat.id, topic: null });
    expect((await t.call("PATCH", at(s, other.id), { token: s.owner.token, body: { parentId: s.channelId } })).status).toBe(404);
    expect((await t.call("PATCH", at(s, cat.id), { token: s.owner.token, body: { parentId: cat.id } })).status).toBe(400);
    const member = await t.member(s);
    expect((await t.call("PATCH", at(s, other.id), { token: member.token, body: { name: "x" } })).status).toBe(403);
    const stranger = await t.user();
    expect((await t.call("PATCH", at(s, other.id), { token: stranger.token, body: { name: "x" } })).status).toBe(404);
  });
});

describe("PATCH /servers/:id/channels (reorder)", () => {
  it("moves channels in one request and lists them top level first, then each category with its channels, by position", async () => {
    const s = await t.server();
    const a = (await create(s, { name: "a" })).body;
    const cat = (await create(s, { name: "cat", type: "category" })).body;
    const b = (await create(s, { name: "b", parentId: cat.id })).body;
    const res = await t.call("PATCH", channels(s), {
      token: s.owner.token,
      body: [
        { id: a.id, position: 0, parentId: cat.id },
        { id: b.id, position: 5, parentId: null },
        { id: s.channelId, position: 9 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.map((c: { name: string }) => c.name)).toEqual(["b", "general", "cat", "a"]);
    expect((await detailOf(s, s.owner)).channels.map((c: { name: string }) => c.name)).toEqual(["b", "general", "cat", "a"]);
    for (const body of [[], [{ id: a.id, position: 1 }, { id: a.id, position: 2 }], [{ id: a.id, position: -1 }]]) {
      expect((await t.call("PATCH", channels(s), { token: s.owner.token, body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.call("PATCH", channels(s), { token: s.owner.token, body: [{ id: "01ARZ3NDEKTSV4RRFFQ69G5FAV", position: 1 }] })).status).toBe(404);
    const member = await t.member(s);
    expect((await t.call("PATCH", channels(s), { token: member.token, body: [{ id: a.id, position: 1 }] })).status).toBe(403);
  });
});

describe("DELETE /servers/:id/channels/:cid", () => {
  it("deletes a channel at once (404 after, its name free) and purges its messages, feed and read positions in the background", async () => {
    const s = await t.server();
    const member = await t.member(s);
    const doomed = (await create(s, { name: "doomed" })).body;
    const mid = (await t.call("POST", `${at(s, doomed.id)}/messages`, { token: member.token, body: { content: `@${s.owner.username} bye` } })).body.id;
    await t.call("PUT", `${at(s, doomed.id)}/messages/${mid}/reactions/${encodeURIComponent("👍")}/me`, { token: s.owner.token });
    await t.call("PUT", `${at(s, doomed.id)}/read`, { token: member.token, body: { messageId: mid } });
    expect((await t.call("DELETE", at(s, doomed.id), { token: member.token })).status).toBe(403);
    expect((await t.call("DELETE", at(s, doomed.id), { token: s.owner.token })).status).toBe(204);
    expect((await t.call("GET", `${at(s, doomed.id)}/messages`, { token: s.owner.token })).status).toBe(404);
    expect((await t.call("DELETE", at(s, doomed.id), { token: s.owner.token })).status).toBe(404);
    expect((await detailOf(s, s.owner)).channels.map((c: { name: string }) => c.name)).toEqual(["general"]);
    expect((await create(s, { name: "doomed" })).status).toBe(201);
    await (t.deps.purges as PurgeWorker).idle();
    const e = t.deps.db.entities;
    expect((await e.messages.query.byChannel({ channelId: doomed.id }).go({ consistent: true })).data).toEqual([]);
    expect((await e.changes.query.byConversation({ conversationId: doomed.id }).go({ consistent: true })).data).toEqual([]);
    expect((await e.mentions.query.byMentioned({ conversationId: doomed.id, userId: s.owner.id }).go({ consistent: true })).data).toEqual([]);
    expect((await e.reactions.query.byMessage({ conversationId: doomed.id, messageId: mid }).go({ consistent: true })).data).toEqual([]);
    expect((await e.readStates.get({ userId: member.id, conversationId: doomed.id }).go({ consistent: true })).data).toBeNull();
    expect((await e.channelPurges.get({ channelId: doomed.id }).go({ consistent: true })).data).toBeNull();
  });

  it("purges in bounded slices that resume where the last one stopped", async () => {
    // No worker: the test runs the slices itself.
    const quiet = await testApi({ purges: { enqueue: async () => {} } });
    const s = await quiet.server();
    const doomed = (await quiet.call("POST", channels(s), { token: s.owner.token, body: { name: "big" } })).body;
    for (let i = 0; i < 7; i++) await quiet.call("POST", `${at(s, doomed.id)}/messages`, { token: s.owner.token, body: { content: `m${i}` } });
    expect((await quiet.call("DELETE", at(s, doomed.id), { token: s.owner.token })).status).toBe(204);
    let slices = 0;
    for (let done = false; !done; slices++) done = (await purgeChannel(quiet.deps, doomed.id, 3)).done;
    expect(slices).toBeGreaterThan(3);
    const e = quiet.deps.db.entities;
    expect((await e.messages.query.byChannel({ channelId: doomed.id }).go({ consistent: true })).data).toEqual([]);
    expect((await e.changes.query.byConversation({ conversationId: doomed.id }).go({ consistent: true })).data).toEqual([]);
    expect((await e.channelPurges.get({ channelId: doomed.id }).go({ consistent: true })).data).toBeNull();
    // A job already done is done.
    expect(await purgeChannel(quiet.deps, doomed.id, 3)).toEqual({ deleted: 0, done: true });
  });

  it("deleting a category leaves its channels at the top level", async () => {
    const s = await t.server();
    const cat = (await create(s, { name: "cat", type: "category" })).body;
    const inner = (await create(s, { name: "inner", parentId: cat.id })).body;
    expect((await t.call("DELETE", at(s, cat.id), { token: s.owner.token })).status).toBe(204);
    const after = (await detailOf(s, s.owner)).channels;
    expect(after.map((c: { name: string }) => c.name)).toEqual(["general", "inner"]);
    expect(after.find((c: { id: string }) => c.id === inner.id).parentId).toBeNull();
    expect((await t.deps.db.entities.channels.get({ serverId: s.id, channelId: inner.id }).go({ consistent: true })).data?.parentId).toBeUndefined();
  });
});

describe("Overwrites: grant only what you hold", () => {
  it("a member with MANAGE_ROLES sets overwrites of bits they hold, not of others; without it, 403", async () => {
    const s = await t.server();
    const [mod, member] = [await t.member(s), await t.member(s)];
    const put = (u: TestUser, body: object, target = s.id) => t.call("PUT", `${at(s, s.channelId)}/overwrites/${target}`, { token: u.token, body });
    expect((await put(member, { type: "role", allow: "0", deny: wire(P.SEND_MESSAGES) })).status).toBe(403);
    await giveRole(s, [mod], P.MANAGE_ROLES);
    expect((await put(mod, { type: "role", allow: "0", deny: wire(P.SEND_MESSAGES) })).status).toBe(204);
    expect((await put(mod, { type: "role", allow: wire(P.MANAGE_MESSAGES), deny: wire(P.SEND_MESSAGES) })).status).toBe(403);
    expect((await put(mod, { type: "member", allow: "0", deny: "0" }, "01ARZ3NDEKTSV4RRFFQ69G5FAV")).status).toBe(404);
    expect((await put(mod, { type: "role", allow: wire(P.BAN_MEMBERS), deny: "0" })).status).toBe(400);
    expect((await put(mod, { type: "role", allow: "x", deny: "0" })).status).toBe(400);
    const channel = (await detailOf(s, mod)).channels[0];
    expect(channel.overwrites).toEqual([{ id: s.id, type: "role", allow: "0", deny: wire(P.SEND_MESSAGES) }]);
  });
});

describe("Audit entries for channels", () => {
  it("records each change in its own transaction, with the X-Audit-Log-Reason; a refused change records nothing", async () => {
    const s = await t.server();
    const member = await t.member(s);
    const reason = { "X-Audit-Log-Reason": encodeURIComponent("tidying up ✨") };
    const made = (await t.call("POST", channels(s), { token: s.owner.token, body: { name: "logged" }, headers: reason })).body;
    await t.call("PATCH", at(s, made.id), { token: s.owner.token, body: { topic: "now with a topic" } });
    await t.call("PATCH", channels(s), { token: s.owner.token, body: [{ id: made.id, position: 7 }] });
    await t.call("PUT", `${at(s, made.id)}/overwrites/${s.id}`, { token: s.owner.token, body: { type: "role", allow: "0", deny: wire(P.SEND_MESSAGES) } });
    await t.call("PUT", `${at(s, made.id)}/overwrites/${s.id}`, { token: s.owner.token, body: { type: "role", allow: "0", deny: wire(P.ADD_REACTIONS) } });
    await t.call("DELETE", `${at(s, made.id)}/overwrites/${s.id}`, { token: s.owner.token });
    expect((await t.call("PATCH", at(s, made.id), { token: member.token, body: { topic: "refused" } })).status).toBe(403);
    expect((await t.call("POST", channels(s), { token: s.owner.token, body: { name: "x" }, headers: { "X-Audit-Log-Reason": "%E0%A4%A" } })).status).toBe(400);
    await t.call("DELETE", at(s, made.id), { token: s.owner.token });
    const { data } = await t.deps.db.entities.auditEntries.query.byServer({ serverId: s.id }).go({ consistent: true });
    const entries = data.filter((e) => e.action.startsWith("channel"));
    expect(entries.map((e) => e.action)).toEqual([
      "channel_create",
      "channel_update",
      "channel_update",
      "channel_overwrite_create",
      "channel_overwrite_update",
      "channel_overwrite_delete",
      "channel_delete",
    ]);
    expect(entries.every((e) => e.actorId === s.owner.id)).toBe(true);
    expect(entries[0]).toMatchObject({ targetId: made.id, reason: "tidying up ✨" });
    expect(JSON.parse(entries[1]!.changes!)).toEqual({ topic: { new: "now with a topic" } });
    expect(JSON.parse(entries[4]!.changes!)).toEqual({ deny: { old: wire(P.SEND_MESSAGES), new: wire(P.ADD_REACTIONS) } });
  });
});
