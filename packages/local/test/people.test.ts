/**
 * People (docs/decisions.md, "People") over real WebSockets on the running runtime: an avatar
 * change reaches everyone who shares a server or a direct conversation with its owner (and their
 * own other tabs), and no one else; typing in a direct conversation reaches the other participant.
 */
import { describe, expect, it } from "vitest";
import { png, putUpload } from "@agorusta/testing/files";
import { liveRuntime, subscribe, type Frame } from "./wsClient.ts";

const live = liveRuntime();

const ofType = (type: string) => (f: Frame) => f.type === type;
type Holder = { token: string };

async function setAvatar(u: Holder): Promise<string> {
  const declared = await live.api.call("POST", "/users/me/avatar", { token: u.token, body: { filename: "me.png", contentType: "image/png", size: png(6, 6).length } });
  expect(declared.status).toBe(201);
  expect(await putUpload(declared.body, png(6, 6))).toBe(200);
  const set = await live.api.call("PUT", "/users/me/avatar", { token: u.token, body: { uploadId: declared.body.id } });
  expect(set.status).toBe(200);
  return set.body.avatarUrl;
}

describe("user_updated", () => {
  it("reaches those who share a server or a DM with the user and the user's other tabs; not strangers", async () => {
    const { s, ownerWs: serverMateWs } = await live.room(); // the owner shares the server with its member…
    const changer = await live.api.member(s);
    const dmPartner = await live.api.user();
    const stranger = await live.api.user();
    const strangerFriend = await live.api.user();
    // A DM partner needs no subscription; a stranger listens to a server of their own.
    const dm = await live.api.call("POST", "/dms", { token: changer.token, body: { userId: dmPartner.id } });
    expect(dm.status).toBe(201);
    const strangers = await live.api.server(stranger);
    // One after the other, so each socket's presence news is in before the next opens (a post that
    // meets a socket still opening is lost to it: docs/decisions.md, "A post that meets a socket still opening").
    const partnerWs = await live.open(dmPartner);
    const strangerWs = await live.open(stranger);
    const ownTabWs = await live.open(changer);
    await subscribe(strangerWs, strangers.channelId);

    const avatarUrl = await setAvatar(changer);
    const user = { id: changer.id, username: changer.username, createdAt: changer.createdAt, avatarUrl, bot: false };
    for (const ws of [serverMateWs, partnerWs, ownTabWs]) {
      expect(await ws.waitFor((f) => f.type === "user_updated" && f.user.avatarUrl === avatarUrl)).toEqual({ type: "user_updated", user });
    }
    // A marker for the stranger, sent after the announcement was posted (the PUT awaited it): when
    // it arrives, anything posted to the stranger before it has arrived too.
    const marker = await live.api.call("POST", "/dms", { token: strangerFriend.token, body: { userId: stranger.id } });
    await live.api.call("POST", `/dms/${marker.body.id}/messages`, { token: strangerFriend.token, body: { content: "marker" } });
    await strangerWs.waitFor(ofType("new_dm_message"));
    expect(strangerWs.frames.filter(ofType("user_updated"))).toEqual([]);

    // Removing it is told the same way, with no avatar.
    expect((await live.api.call("DELETE", "/users/me/avatar", { token: changer.token })).status).toBe(204);
    for (const ws of [serverMateWs, partnerWs]) {
      expect(await ws.waitFor((f) => f.type === "user_updated" && f.user.avatarUrl === null)).toEqual({ type: "user_updated", user: { ...user, avatarUrl: null } });
    }
  }, 60_000);

  it("presence reaches DM partners too, and GET /dms/online says who of them is online", async () => {
    const a = await live.api.user();
    const b = await live.api.user();
    const dm = await live.api.call("POST", "/dms", { token: a.token, body: { userId: b.id } });
    expect((await live.api.call("GET", "/dms/online", { token: a.token })).body).toEqual({ userIds: [] });
    const aWs = await live.open(a);
    const bWs = await live.open(b);
    expect(await aWs.waitFor((f) => f.type === "presence" && f.userId === b.id)).toEqual({ type: "presence", userId: b.id, online: true });
    expect((await live.api.call("GET", "/dms/online", { token: a.token })).body).toEqual({ userIds: [b.id] });
    await bWs.close();
    expect(await aWs.waitFor((f) => f.type === "presence" && f.userId === b.id && !f.online)).toEqual({ type: "presence", userId: b.id, online: false });
    expect(dm.status).toBe(201);
  });
});

describe("typing in a direct conversation", () => {
  it("reaches the other participant as dm_typing, not the typist; a non-participant gets not_found", async () => {
    const a = await live.api.user();
    const b = await live.api.user();
    const outsider = await live.api.user();
    const dm = (await live.api.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body;
    // One after the other, as above.
    const aWs = await live.open(a);
    const bWs = await live.open(b);
    await aWs.waitFor((f) => f.type === "presence" && f.userId === b.id);
    const outsiderWs = await live.open(outsider);
    aWs.send({ action: "typing", conversationId: dm.id });
    expect(await bWs.waitFor(ofType("dm_typing"))).toEqual({
      type: "dm_typing", conversationId: dm.id, user: { id: a.id, username: a.username, createdAt: a.createdAt, avatarUrl: null, bot: false },
    });
    expect(await outsiderWs.request({ action: "typing", conversationId: dm.id }, "error")).toMatchObject({ type: "error", code: "not_found" });
    expect(await aWs.request({ action: "typing", conversationId: dm.id, channelId: dm.id }, "error")).toMatchObject({ type: "error", code: "invalid_request" });
    // B's typing is the marker: when it reaches A, A has had no typing of their own.
    bWs.send({ action: "typing", conversationId: dm.id });
    await aWs.waitFor(ofType("dm_typing"));
    expect(aWs.frames.filter(ofType("dm_typing")).map((f) => f.user.id)).toEqual([b.id]);
    expect(outsiderWs.frames.filter(ofType("dm_typing"))).toEqual([]);
  });
});
