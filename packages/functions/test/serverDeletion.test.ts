import { beforeAll, describe, expect, it } from "vitest";
import { testApi } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: Awaited<ReturnType<typeof testApi>>;
beforeAll(async () => {
  // Posts 30 messages in a row to one channel: past the message rate limit.
  t = await testApi({ publisher, usageLimits: "off" });
});

describe("DELETE /servers/:id", () => {
  it("removes the server and everything in it (204), frees its name, and announces server_deleted first", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const c2 = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "second" } });
    for (const cid of [s.channelId, c2.body.id]) {
      for (let i = 0; i < 30; i++) await t.call("POST", `/servers/${s.id}/channels/${cid}/messages`, { token: m.token, body: { content: `m${i}` } });
    }
    const code = (await t.call("POST", `/servers/${s.id}/invites`, { token: s.owner.token, body: {} })).body.code;
    await t.call("POST", `/servers/${s.id}/passwords`, { token: s.owner.token, body: { password: "pw" } });
    await t.deps.db.entities.subscriptions.create({ channelId: s.channelId, connectionId: "c-x", serverId: s.id, userId: m.id }).go();
    publisher.clear();
    // What the announcement reaches is decided while the subscriptions still exist.
    let subscriptionsAtAnnouncement = -1;
    publisher.toServer = async (serverId, event, options) => {
      subscriptionsAtAnnouncement = (await t.deps.db.entities.subscriptions.query.byServer({ serverId: String(serverId) }).go()).data.length;
      publisher.sent.push({ to: "server", serverId, event, ...options });
    };

    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    expect(publisher.sent).toEqual([{ to: "server", serverId: s.id, event: { type: "server_deleted", serverId: s.id }, alsoUserIds: [s.owner.id] }]);
    expect(subscriptionsAtAnnouncement).toBe(1);

    for (const u of [s.owner, m]) {
      expect((await t.call("GET", `/servers/${s.id}`, { token: u.token })).status).toBe(404);
      expect((await t.call("GET", "/servers", { token: u.token })).body).toEqual([]);
    }
    expect((await t.call("GET", `/invites/${code}`, { token: m.token })).status).toBe(404);
    // Nothing is left behind in the table under the server's channels.
    const e = t.deps.db.entities;
    for (const cid of [s.channelId, c2.body.id]) {
      expect((await e.messages.query.byChannel({ channelId: cid }).go()).data).toEqual([]);
      expect((await e.subscriptions.query.byChannel({ channelId: cid }).go()).data).toEqual([]);
    }
    expect((await e.serverPasswords.query.byServer({ serverId: s.id }).go()).data).toEqual([]);
    expect((await e.members.query.byServer({ serverId: s.id }).go()).data).toEqual([]);
    expect((await t.deps.db.collections.serverDetail({ serverId: s.id }).go()).data).toEqual({ servers: [], channels: [] });
    // The name is free again, and so is `general` inside the new server.
    const again = await t.call("POST", "/servers", { token: m.token, body: { name: s.name } });
    expect(again.status).toBe(201);
  });

  it("answers 403 to a member and 404 to a non-member, and deletes nothing", async () => {
    const s = await t.server();
    const m = await t.member(s);
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: m.token })).status).toBe(403);
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: (await t.user()).token })).status).toBe(404);
    expect((await t.call("GET", `/servers/${s.id}`, { token: m.token })).status).toBe(200);
  });

  it("answers 404 the second time", async () => {
    const s = await t.server();
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(404);
  });
});
