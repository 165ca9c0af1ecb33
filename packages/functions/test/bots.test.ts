/**
 * Bots (api.md "Bots"): bot users owned by a person (at most 10), `Authorization: Bot <token>`
 * on the user routes and the WebSocket ticket but not `/auth/*`, `/bots`; never in search;
 * joining a server by its owner with MANAGE_GUILD there; roles apply; a regenerated token stops
 * the old one at once; a deleted bot leaves every server.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";

const SEND_MESSAGES = (1n << 11n).toString();
const MANAGE_GUILD = (1n << 5n).toString();

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  t = await testApi({ publisher });
});
beforeEach(() => publisher.clear());

let n = 0;
const botName = () => `bot${Date.now().toString(36)}${n++}`;
const createBot = async (owner: { token: string }, username = botName()) => {
  const res = await t.call("POST", "/bots", { token: owner.token, body: { username } });
  expect(res.status).toBe(201);
  return { ...(res.body.bot as { id: string; username: string; bot: boolean }), token: res.body.token as string };
};
/** A call with `Authorization: Bot <token>`. */
const asBot = (method: string, path: string, token: string, body?: unknown) =>
  t.call(method, path, { headers: { authorization: `Bot ${token}` }, ...(body === undefined ? {} : { body }) });

describe("bots", () => {
  it("an owner creates, lists and caps bots; a bot is a user with bot: true, never in search, and cannot use /auth/* or /bots", async () => {
    const owner = await t.user();
    const bot = await createBot(owner);
    expect(bot).toMatchObject({ bot: true, avatarUrl: null });
    expect(bot.token).toMatch(/^[0-9A-Z]{26}\.[0-9A-Z]{26}\.[A-Za-z0-9_-]{68}$/);
    expect((await t.call("POST", "/bots", { token: owner.token, body: { username: bot.username } })).status).toBe(409);
    expect((await t.call("GET", "/bots", { token: owner.token })).body).toEqual([{ id: bot.id, username: bot.username, createdAt: expect.any(String), avatarUrl: null, bot: true }]);
    // Someone else's list does not show it.
    expect((await t.call("GET", "/bots", { token: (await t.user()).token })).body).toEqual([]);

    expect((await asBot("GET", "/servers", bot.token)).status).toBe(200);
    expect((await asBot("POST", "/auth/ws-ticket", bot.token)).body.ticket).toEqual(expect.any(String));
    for (const [method, path] of [["GET", "/auth/me"], ["POST", "/auth/logout"], ["POST", "/auth/logout-all"], ["GET", "/bots"], ["POST", "/bots"]] as const) {
      expect((await asBot(method, path, bot.token, method === "POST" ? { username: botName() } : undefined)).status, `${method} ${path}`).toBe(403);
    }
    // A wrong secret, a bot token as a Bearer, and nothing that looks like one: 401.
    expect((await asBot("GET", "/servers", `${bot.token.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await asBot("GET", "/servers", "not-a-token")).status).toBe(401);
    expect((await t.call("GET", "/servers", { token: bot.token })).status).toBe(401);

    const search = await t.call("GET", `/users/search?q=${bot.username}`, { token: owner.token });
    expect(search.status).toBe(200);
    expect(search.body).toEqual([]);

    // At most 10 per owner.
    for (let i = 1; i < 10; i++) await createBot(owner);
    const over = await t.call("POST", "/bots", { token: owner.token, body: { username: botName() } });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe("limit_reached");
  });

  it("cannot use push (api.md: not /auth/*, /bots, push): 403 on every /push route, before anything is read or stored", async () => {
    const owner = await t.user();
    const bot = await createBot(owner);
    const subscription = { endpoint: "https://push.example.com/send/abc", keys: { p256dh: "x", auth: "y" } };
    for (const [method, path, body] of [["GET", "/push/key"], ["POST", "/push/subscriptions", subscription], ["DELETE", "/push/subscriptions", { endpoint: subscription.endpoint }]] as const) {
      const res = await asBot(method, path, bot.token, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    // Its owner's token reaches the route (here, a process without push set up: 404).
    expect((await t.call("GET", "/push/key", { token: owner.token })).status).toBe(404);
  });

  it("the owner adds it to a server where they hold MANAGE_GUILD; it posts with author.bot, as its roles allow; others cannot add it", async () => {
    const s = await t.server();
    const builder = await t.member(s);
    const bot = await createBot(builder);
    const put = (token: string, botId = bot.id) => t.call("PUT", `/servers/${s.id}/bots/${botId}`, { token });
    expect((await put(builder.token)).status).toBe(403);
    // The server's owner holds MANAGE_GUILD, but it is not their bot.
    expect((await put(s.owner.token)).status).toBe(404);
    const role = (await t.call("POST", `/servers/${s.id}/roles`, { token: s.owner.token, body: { name: "Builders", permissions: MANAGE_GUILD } })).body;
    await t.call("PUT", `/servers/${s.id}/members/${builder.id}/roles/${role.id}`, { token: s.owner.token });
    expect((await put(builder.token)).status).toBe(204);
    const joined = (publisher.sent.find((p) => "event" in p && p.event.type === "member_joined" && p.event.member.user.id === bot.id) as { event: any } | undefined)?.event;
    expect(joined.member.user).toMatchObject({ id: bot.id, bot: true });
    const roster = (await t.call("GET", `/servers/${s.id}/members`, { token: s.owner.token })).body as { user: { id: string; bot: boolean } }[];
    expect(roster.find((m) => m.user.id === bot.id)?.user.bot).toBe(true);
    expect(roster.find((m) => m.user.id === s.owner.id)?.user.bot).toBe(false);

    const messages = `/servers/${s.id}/channels/${s.channelId}/messages`;
    const sent = await asBot("POST", messages, bot.token, { content: "beep" });
    expect(sent.status).toBe(201);
    expect(sent.body.author).toMatchObject({ id: bot.id, username: bot.username, bot: true });
    expect(sent.body.webhookId).toBeNull();
    // Roles apply: @everyone may no longer send here, so neither may the bot.
    const everyone = (await t.call("GET", `/servers/${s.id}`, { token: s.owner.token })).body.roles.find((r: { id: string }) => r.id === s.id);
    const without = (BigInt(everyone.permissions) & ~BigInt(SEND_MESSAGES)).toString();
    expect((await t.call("PATCH", `/servers/${s.id}/roles/${s.id}`, { token: s.owner.token, body: { permissions: without } })).status).toBe(200);
    expect((await asBot("POST", messages, bot.token, { content: "beep" })).status).toBe(403);
  });

  it("a regenerated token stops the old one at once; a deleted bot leaves every server and its token stops", async () => {
    const s = await t.server();
    const bot = await createBot(s.owner);
    expect((await t.call("PUT", `/servers/${s.id}/bots/${bot.id}`, { token: s.owner.token })).status).toBe(204);
    expect((await t.call("POST", `/bots/${bot.id}/token`, { token: (await t.user()).token })).status).toBe(404);
    const fresh = await t.call("POST", `/bots/${bot.id}/token`, { token: s.owner.token });
    expect(fresh.status).toBe(200);
    expect((await asBot("GET", "/servers", bot.token)).status).toBe(401);
    expect((await asBot("GET", "/servers", fresh.body.token)).body.map((x: { id: string }) => x.id)).toEqual([s.id]);

    publisher.clear();
    expect((await t.call("DELETE", `/bots/${bot.id}`, { token: s.owner.token })).status).toBe(204);
    expect((await asBot("GET", "/servers", fresh.body.token)).status).toBe(401);
    const roster = (await t.call("GET", `/servers/${s.id}/members`, { token: s.owner.token })).body as { user: { id: string } }[];
    expect(roster.map((m) => m.user.id)).not.toContain(bot.id);
    expect(publisher.sent.some((p) => "event" in p && p.event.type === "member_left" && p.event.userId === bot.id)).toBe(true);
    expect((await t.call("GET", "/bots", { token: s.owner.token })).body).toEqual([]);
    // Its name is free again, and the owner's count went down.
    expect((await createBot(s.owner, bot.username)).username).toBe(bot.username);
  });
});
