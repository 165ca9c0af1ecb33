/**
 * People (docs/decisions.md, "People") at the handler and the routes: typing in a direct
 * conversation (who may, its throttle), who is told of an avatar change, which DM partners are
 * online, and one member by id. Real sockets: packages/local/test/people.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { dmTypingFrom } from "@agorusta/core/dms";
import { realtimeLimits } from "@agorusta/core/realtime";
import { png, putUpload } from "@agorusta/testing/files";
import { testApi, type TestApi, type TestUser } from "@agorusta/testing";
import { createWsHandler } from "../src/ws/handler.ts";
import { recordingPublisher } from "./recordingPublisher.ts";
import { wsEvent } from "./wsEvents.ts";

const publisher = recordingPublisher();
let t: TestApi;
let handle: ReturnType<typeof createWsHandler>;
beforeAll(async () => {
  t = await testApi({ publisher });
  handle = createWsHandler(t.deps);
});

let n = 0;
const newConnectionId = () => `ppl${Date.now().toString(36)}${n++}=`;
const event = wsEvent;
async function connect(u: TestUser): Promise<string> {
  const id = newConnectionId();
  const ticket = (await t.call("POST", "/auth/ws-ticket", { token: u.token })).body.ticket as string;
  expect((await handle(event("$connect", id, { queryStringParameters: { ticket } }))).statusCode).toBe(200);
  return id;
}
const frame = (connectionId: string, body: unknown) => handle(event("$default", connectionId, { body: JSON.stringify(body) }));
const repliesTo = (connectionId: string) =>
  publisher.sent.flatMap((p) => (p.to === "connection" && p.connectionId === connectionId ? [p.frame as Record<string, unknown>] : []));
const startDm = async (a: TestUser, b: TestUser) => (await t.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body.id as string;
const publicUser = (u: TestUser, avatarUrl: string | null = null) => ({ id: u.id, username: u.username, createdAt: u.createdAt, avatarUrl, bot: false });

describe("typing in a direct conversation", () => {
  it("is relayed to the other participant only, as dm_typing", async () => {
    const [a, b] = await Promise.all([t.user(), t.user()]);
    const dm = await startDm(a, b);
    const typist = await connect(a);
    publisher.clear();
    await frame(typist, { action: "typing", conversationId: dm });
    expect(publisher.sent.filter((p) => "event" in p && p.event.type === "dm_typing")).toEqual([
      { to: "users", userIds: [b.id], event: { type: "dm_typing", conversationId: dm, user: publicUser(a) } },
    ]);
    expect(repliesTo(typist)).toEqual([]);
  });

  it(`is relayed at most once per ${realtimeLimits.typingIntervalMs} ms per connection and conversation`, async () => {
    const [a, b, c] = await Promise.all([t.user(), t.user(), t.user()]);
    const [withB, withC] = await Promise.all([startDm(a, b), startDm(a, c)]);
    const typist = await connect(a);
    const now = Date.parse("2026-12-06T10:00:00.000Z");
    expect(await dmTypingFrom(t.deps.db, typist, withB, now)).toEqual({ typist: publicUser(a), to: b.id });
    expect(await dmTypingFrom(t.deps.db, typist, withB, now + realtimeLimits.typingIntervalMs - 1)).toBeNull();
    // Another conversation is another count; back in the first, a new one starts.
    expect(await dmTypingFrom(t.deps.db, typist, withC, now + 1)).toEqual({ typist: publicUser(a), to: c.id });
    expect(await dmTypingFrom(t.deps.db, typist, withB, now + 2)).toEqual({ typist: publicUser(a), to: b.id });
    expect(await dmTypingFrom(t.deps.db, typist, withB, now + 2 + realtimeLimits.typingIntervalMs)).toEqual({ typist: publicUser(a), to: b.id });
  });

  it("is not_found for a conversation one is not in, or that does not exist; a frame naming both is invalid", async () => {
    const [a, b, outsider] = await Promise.all([t.user(), t.user(), t.user()]);
    const dm = await startDm(a, b);
    const id = await connect(outsider);
    publisher.clear();
    await frame(id, { action: "typing", conversationId: dm });
    await frame(id, { action: "typing", conversationId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" });
    await frame(id, { action: "typing", conversationId: "not an id" });
    await frame(id, { action: "typing", conversationId: dm, channelId: dm });
    await frame(id, { action: "typing" });
    expect(repliesTo(id).map((f) => f.code)).toEqual(["not_found", "not_found", "not_found", "invalid_request", "invalid_request"]);
    expect(publisher.sent.filter((p) => "event" in p && p.event.type === "dm_typing")).toEqual([]);
  });
});

describe("user_updated", () => {
  async function avatarOf(u: TestUser): Promise<string> {
    const bytes = png(6, 6);
    const declared = await t.call("POST", "/users/me/avatar", { token: u.token, body: { filename: "me.png", contentType: "image/png", size: bytes.length } });
    expect(await putUpload(declared.body, bytes)).toBe(200);
    const set = await t.call("PUT", "/users/me/avatar", { token: u.token, body: { uploadId: declared.body.id } });
    expect(set.status).toBe(200);
    return set.body.avatarUrl;
  }

  it("goes to the listeners of the user's servers and every connection of their DM partners and of themselves", async () => {
    const s = await t.server();
    const changer = await t.member(s);
    const [partner, stranger] = await Promise.all([t.user(), t.user()]);
    await startDm(partner, changer);
    await t.server(stranger);
    publisher.clear();
    const avatarUrl = await avatarOf(changer);
    const told = publisher.sent.filter((p) => "event" in p && p.event.type === "user_updated");
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ to: "server", event: { type: "user_updated", user: publicUser(changer, avatarUrl) }, maxRecipients: realtimeLimits.presenceRecipients });
    const { serverId, alsoUserIds } = told[0] as unknown as { serverId: string[]; alsoUserIds: string[] };
    expect(serverId).toEqual([s.id]);
    expect([...alsoUserIds].sort()).toEqual([partner.id, changer.id].sort());

    publisher.clear();
    expect((await t.call("DELETE", "/users/me/avatar", { token: changer.token })).status).toBe(204);
    expect(publisher.sent.filter((p) => "event" in p && p.event.type === "user_updated")).toMatchObject([{ event: { type: "user_updated", user: publicUser(changer, null) } }]);
  });
});

describe("GET /dms/online", () => {
  it("lists the DM partners with an open connection, never the caller or strangers", async () => {
    const [me, online, offline, stranger] = await Promise.all([t.user(), t.user(), t.user(), t.user()]);
    await Promise.all([startDm(me, online), startDm(offline, me)]);
    await Promise.all([connect(me), connect(online), connect(stranger)]);
    expect(await t.call("GET", "/dms/online", { token: me.token })).toMatchObject({ status: 200, body: { userIds: [online.id] } });
    expect((await t.call("GET", "/dms/online")).status).toBe(401);
  });
});

describe("GET /servers/:id/members/:userId", () => {
  it("answers one member as the roster shows them; 404 for a non-member, either way", async () => {
    const s = await t.server();
    const m = await t.member(s);
    const outsider = await t.user();
    const roster = (await t.call("GET", `/servers/${s.id}/members`, { token: s.owner.token })).body;
    const one = await t.call("GET", `/servers/${s.id}/members/${m.id}`, { token: s.owner.token });
    expect(one).toMatchObject({ status: 200, body: roster.find((x: { user: { id: string } }) => x.user.id === m.id) });
    expect((await t.call("GET", `/servers/${s.id}/members/${outsider.id}`, { token: s.owner.token })).body.error.code).toBe("not_found");
    expect((await t.call("GET", `/servers/${s.id}/members/${m.id}`, { token: outsider.token })).body.error.code).toBe("not_found");
  });
});
