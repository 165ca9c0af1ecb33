/**
 * Reactions, replies and attachments over real WebSockets on the running runtime: reaction
 * events (channel and DM) with counts and cursors, a repeat that changes nothing sends nothing,
 * and a reconnecting client catches up on reactions through `/changes?since=`.
 */
import { describe, expect, it } from "vitest";
import { png, putUpload } from "@agorusta/testing/files";
import { liveRuntime } from "./wsClient.ts";

const live = liveRuntime();
const emojiPath = (e: string) => encodeURIComponent(e);

describe("reaction events", () => {
  it("reaction_added and reaction_removed reach every subscriber, with the count and a cursor; a repeat sends nothing", async () => {
    const { s, member, ownerWs, memberWs, messages } = await live.room();
    const m = (await live.api.call("POST", messages, { token: s.owner.token, body: { content: "vote" } })).body;
    const react = (token: string, e: string, method = "PUT") => live.api.call(method, `${messages}/${m.id}/reactions/${emojiPath(e)}/me`, { token });

    expect((await react(member.token, "👍🏽")).status).toBe(204);
    expect((await react(member.token, "👍🏽")).status).toBe(204); // no change: no event
    expect((await react(s.owner.token, "👍🏽")).status).toBe(204);
    expect((await react(member.token, "👍🏽", "DELETE")).status).toBe(204);
    for (const ws of [ownerWs, memberWs]) {
      const events = await ws.waitForCount((f) => f.type.startsWith("reaction_"), 3);
      expect(events).toEqual([
        { type: "reaction_added", channelId: s.channelId, messageId: m.id, emoji: "👍🏽", userId: member.id, count: 1, cursor: expect.any(String) },
        { type: "reaction_added", channelId: s.channelId, messageId: m.id, emoji: "👍🏽", userId: s.owner.id, count: 2, cursor: expect.any(String) },
        { type: "reaction_removed", channelId: s.channelId, messageId: m.id, emoji: "👍🏽", userId: member.id, count: 1, cursor: expect.any(String) },
      ]);
      // Each change has its own feed position.
      expect(new Set(events.map((e) => e.cursor)).size).toBe(3);
    }
    // An event after them proves no fourth reaction event was on its way before it.
    await live.api.call("POST", messages, { token: s.owner.token, body: { content: "next" } });
    for (const ws of [ownerWs, memberWs]) {
      await ws.waitFor((f) => f.type === "new_message" && f.message.content === "next");
      expect(ws.frames.filter((f) => f.type.startsWith("reaction_"))).toHaveLength(3);
    }
  });

  it("a client that missed reactions gets them from /changes with the cursor of the last event it applied", async () => {
    const { s, member, memberWs, messages } = await live.room();
    const m = (await live.api.call("POST", messages, { token: s.owner.token, body: { content: "catch up" } })).body;
    const seen = await memberWs.waitFor((f) => f.type === "new_message" && f.message.id === m.id);
    await memberWs.close();
    await live.api.call("PUT", `${messages}/${m.id}/reactions/${emojiPath("🎉")}/me`, { token: s.owner.token });
    await live.api.call("PUT", `${messages}/${m.id}/reactions/${emojiPath("🇯🇵")}/me`, { token: s.owner.token });
    const changes = await live.api.call("GET", `/servers/${s.id}/channels/${s.channelId}/changes?since=${seen.cursor}`, { token: member.token });
    expect(changes.status).toBe(200);
    expect(changes.body.changes).toEqual([
      { type: "message", message: expect.objectContaining({ id: m.id, revision: 3, reactions: [{ emoji: "🎉", count: 1, me: false }, { emoji: "🇯🇵", count: 1, me: false }] }) },
    ]);
  });

  it("DM reactions reach both participants as dm_reaction_added / dm_reaction_removed", async () => {
    const [a, b] = [await live.api.user(), await live.api.user()];
    const [aWs, bWs] = await Promise.all([live.open(a), live.open(b)]);
    const dm = (await live.api.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body;
    const at = `/dms/${dm.id}/messages`;
    const m = (await live.api.call("POST", at, { token: a.token, body: { content: "hi" } })).body;
    expect((await live.api.call("PUT", `${at}/${m.id}/reactions/${emojiPath("❤️")}/me`, { token: b.token })).status).toBe(204);
    expect((await live.api.call("DELETE", `${at}/${m.id}/reactions/${emojiPath("❤️")}/me`, { token: b.token })).status).toBe(204);
    for (const ws of [aWs, bWs]) {
      expect(await ws.waitForCount((f) => f.type.startsWith("dm_reaction_"), 2)).toEqual([
        { type: "dm_reaction_added", conversationId: dm.id, messageId: m.id, emoji: "❤️", userId: b.id, count: 1, cursor: expect.any(String) },
        { type: "dm_reaction_removed", conversationId: dm.id, messageId: m.id, emoji: "❤️", userId: b.id, count: 0, cursor: expect.any(String) },
      ]);
    }
  });
});

describe("replies and attachments, live", () => {
  it("new_message carries the reply and the attachments, and the file downloads over the runtime's store", async () => {
    const { s, member, memberWs, messages } = await live.room();
    const original = (await live.api.call("POST", messages, { token: member.token, body: { content: "look at this" } })).body;
    const bytes = png(12, 7);
    const up = await live.api.call("POST", `/servers/${s.id}/channels/${s.channelId}/attachments`, {
      token: s.owner.token, body: { filename: "p.png", contentType: "image/png", size: bytes.length },
    });
    expect(await putUpload(up.body, bytes)).toBe(200);
    const sent = await live.api.call("POST", messages, { token: s.owner.token, body: { content: "", replyTo: original.id, attachments: [up.body.id] } });
    expect(sent.status).toBe(201);
    const event = await memberWs.waitFor((f) => f.type === "new_message" && f.message.id === sent.body.id);
    expect(event.message.replyTo).toMatchObject({ id: original.id, excerpt: "look at this", author: { id: member.id } });
    expect(event.message.attachments).toEqual([expect.objectContaining({ id: up.body.id, width: 12, height: 7 })]);
    const file = await fetch(event.message.attachments[0].url);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("the runtime's store answers the web app's origin with CORS for an upload", async () => {
    const { s } = await live.room();
    const up = await live.api.call("POST", `/servers/${s.id}/channels/${s.channelId}/attachments`, {
      token: s.owner.token, body: { filename: "a.txt", contentType: "text/plain", size: 1 },
    });
    const preflight = await fetch(up.body.uploadUrl, {
      method: "OPTIONS",
      headers: { origin: live.rt.url, "access-control-request-method": "PUT", "access-control-request-headers": "content-type" },
    });
    expect(preflight.status).toBe(200);
    // S3 echoes the origin; the embedded store answers "*" once a rule matched it.
    expect([live.rt.url, "*"]).toContain(preflight.headers.get("access-control-allow-origin"));
    const elsewhere = await fetch(up.body.uploadUrl, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "PUT" },
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get("access-control-allow-origin")).toBeNull();
  });
});
