/**
 * Incoming webhooks (api.md "Incoming webhooks"): management under MANAGE_WEBHOOKS, executions
 * with Discord's and Slack's bodies as ordinary channel messages (history, events, mentions), a
 * bot author, files into the attachment store, tokens that stop at once, and the per-webhook
 * limit with Discord's 429 body whatever the usage limits say.
 */
import { beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { testApi, type TestApi, type TestServer } from "@agorusta/testing";
import { createPurgeWorker } from "@agorusta/local/purgeWorker";
import { recordingPublisher } from "./recordingPublisher.ts";

const MANAGE_WEBHOOKS = (1n << 29n).toString();
const MENTION_EVERYONE = (1n << 17n).toString();

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  // The usage limits off: the webhook's own limit holds anyway.
  t = await testApi({ publisher, usageLimits: "off" });
});
beforeEach(() => publisher.clear());

type Hook = { id: string; token: string; url: string; channelId: string; name: string; creatorId: string };
const createHook = async (s: TestServer, token = s.owner.token, name = "CI") => {
  const res = await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/webhooks`, { token, body: { name } });
  expect(res.status).toBe(201);
  return res.body as Hook;
};
/** Executes through the in-process app, at the path its URL names (under the API's prefix). */
const execute = (hook: Pick<Hook, "id" | "token">, body: unknown, suffix = "") => t.call("POST", `/webhooks/${hook.id}/${hook.token}${suffix}`, { body });
const history = async (s: TestServer) => (await t.call("GET", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: s.owner.token })).body as any[];

describe("managing webhooks", () => {
  it("MANAGE_WEBHOOKS creates, lists, renames, moves and deletes; a member without it gets 403, an outsider 404; each change is audited", async () => {
    const s = await t.server();
    const member = await t.member(s);
    const outsider = await t.user();
    const base = `/servers/${s.id}`;
    expect((await t.call("POST", `${base}/channels/${s.channelId}/webhooks`, { token: member.token, body: { name: "x" } })).status).toBe(403);
    expect((await t.call("POST", `${base}/channels/${s.channelId}/webhooks`, { token: outsider.token, body: { name: "x" } })).status).toBe(404);
    expect((await t.call("POST", `${base}/channels/${s.channelId}/webhooks`, { token: s.owner.token, body: { name: "" } })).status).toBe(400);
    expect((await t.call("POST", `${base}/channels/${s.channelId}/webhooks`, { token: s.owner.token, body: { name: "x".repeat(81) } })).status).toBe(400);

    const hook = await createHook(s);
    expect(hook.token).toMatch(/^[A-Za-z0-9_-]{68}$/);
    expect(hook.url).toBe(`http://localhost/webhooks/${hook.id}/${hook.token}`);
    expect(hook).toMatchObject({ serverId: s.id, channelId: s.channelId, name: "CI", avatarUrl: null, creatorId: s.owner.id });

    // A member given MANAGE_WEBHOOKS by a role manages them too; the list never shows a token.
    const role = (await t.call("POST", `${base}/roles`, { token: s.owner.token, body: { name: "Hooks", permissions: MANAGE_WEBHOOKS } })).body;
    await t.call("PUT", `${base}/members/${member.id}/roles/${role.id}`, { token: s.owner.token });
    const list = await t.call("GET", `${base}/webhooks`, { token: member.token });
    expect(list.status).toBe(200);
    expect(list.body.map((w: Hook) => w.id)).toContain(hook.id);
    expect(list.body.every((w: Hook) => w.token === undefined && w.url === undefined)).toBe(true);

    const other = (await t.call("POST", `${base}/channels`, { token: s.owner.token, body: { name: "alerts" } })).body;
    const moved = await t.call("PATCH", `${base}/webhooks/${hook.id}`, { token: member.token, body: { name: "Deploys", channelId: other.id } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: hook.id, name: "Deploys", channelId: other.id });
    expect((await t.call("PATCH", `${base}/webhooks/${hook.id}`, { token: member.token, body: { channelId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" } })).status).toBe(404);
    // It now posts where it was moved, under its new name.
    const posted = await execute(hook, { content: "moved" }, "?wait=true");
    expect(posted.body).toMatchObject({ channelId: other.id, author: { id: hook.id, username: "Deploys", bot: true } });

    expect((await t.call("DELETE", `${base}/webhooks/${hook.id}`, { token: member.token })).status).toBe(204);
    expect((await t.call("DELETE", `${base}/webhooks/${hook.id}`, { token: member.token })).status).toBe(404);
    // Deleted: its token stops at once, and nothing is stored.
    const before = (await t.call("GET", `${base}/channels/${other.id}/messages`, { token: s.owner.token })).body.length;
    expect((await execute(hook, { content: "after" })).status).toBe(404);
    expect((await t.call("GET", `${base}/channels/${other.id}/messages`, { token: s.owner.token })).body.length).toBe(before);

    const audit = (await t.call("GET", `${base}/audit-log`, { token: s.owner.token })).body as { action: string; targetId: string }[];
    const entries = audit.filter((e) => e.targetId === hook.id).map((e) => e.action);
    expect(entries.sort()).toEqual(["webhook_create", "webhook_delete", "webhook_update"]);
  });
});

describe("executing a webhook", () => {
  it("Discord's body posts an ordinary message with a bot author: 204, or the Message with ?wait=true; in history, events and read state", async () => {
    const s = await t.server();
    const reader = await t.member(s);
    const hook = await createHook(s);
    const plain = await execute(hook, { content: "build passed", tts: false, avatar_url: "https://example.com/a.png" });
    expect(plain.status).toBe(204);
    const waited = await execute(hook, { content: "deployed", username: "Deploy Bot" }, "?wait=true");
    expect(waited.status).toBe(200);
    expect(waited.body).toMatchObject({ content: "deployed", webhookId: hook.id, authorId: hook.id, author: { id: hook.id, username: "Deploy Bot", bot: true } });
    const messages = await history(s);
    expect(messages.map((m) => [m.content, m.webhookId, m.author.bot])).toEqual(
      expect.arrayContaining([["build passed", hook.id, true], ["deployed", hook.id, true]]),
    );
    const events = publisher.sent.flatMap((p) => ("event" in p ? [p.event as any] : []));
    expect(events.filter((e) => e.type === "new_message").map((e) => e.message.content)).toEqual(["build passed", "deployed"]);
    expect(events.filter((e) => e.type === "channel_activity").map((e) => e.authorId)).toEqual([hook.id, hook.id]);
    // A reader has them unread, as any message.
    const states = (await t.call("GET", "/read-states", { token: reader.token })).body as { channelId: string }[];
    expect(states.find((r) => r.channelId === s.channelId)).toBeTruthy();
    // People's messages say bot: false.
    const mine = await t.call("POST", `/servers/${s.id}/channels/${s.channelId}/messages`, { token: reader.token, body: { content: "hi" } });
    expect(mine.body.author.bot).toBe(false);
    expect(mine.body.webhookId).toBeNull();
  });

  it("embeds become lines of text; an empty post is a 400 and stores nothing; a wrong token is 401 and an unknown webhook 404", async () => {
    const s = await t.server();
    const hook = await createHook(s);
    const res = await execute(hook, { embeds: [{ title: "Build #12", description: "passed", fields: [{ name: "branch", value: "main" }] }] }, "?wait=true");
    expect(res.status).toBe(200);
    expect(res.body.content).toBe("**Build #12**\npassed\n**branch**\nmain");
    const count = (await history(s)).length;
    expect((await execute(hook, { content: "   " })).status).toBe(400);
    expect((await execute({ id: hook.id, token: "x".repeat(68) }, { content: "hi" })).status).toBe(401);
    expect((await execute({ id: hook.id, token: "short" }, { content: "hi" })).status).toBe(401);
    expect((await execute({ id: "01ARZ3NDEKTSV4RRFFQ69G5FAV", token: hook.token }, { content: "hi" })).status).toBe(404);
    expect((await execute({ id: hook.id, token: hook.token }, { text: "hi" }, "/slack")).status).toBe(200);
    expect((await history(s)).length).toBe(count + 1);
  });

  it("Slack's body on /slack answers 200 ok as text", async () => {
    const s = await t.server();
    const hook = await createHook(s);
    const res = await t.app.request(`/webhooks/${hook.id}/${hook.token}/slack`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "from slack", username: "Jenkins" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await res.text()).toBe("ok");
    expect((await history(s)).at(-1)).toMatchObject({ content: "from slack", author: { username: "Jenkins", bot: true } });
  });

  it("multipart: payload_json and files[n] land in the attachment store, at most 10", async () => {
    const s = await t.server();
    const hook = await createHook(s);
    const form = new FormData();
    form.append("payload_json", JSON.stringify({ content: "the logs" }));
    form.append("files[0]", new Blob(["line one\n"], { type: "text/plain" }), "build.log");
    form.append("files[1]", new Blob([new Uint8Array([1, 2, 3])], { type: "application/octet-stream" }), "blob.bin");
    const res = await t.app.request(`/webhooks/${hook.id}/${hook.token}?wait=true`, { method: "POST", body: form });
    expect(res.status).toBe(200);
    const message = (await res.json()) as { content: string; attachments: { filename: string; size: number; url: string; contentType: string }[] };
    expect(message.content).toBe("the logs");
    expect(message.attachments.map((a) => [a.filename, a.size, a.contentType])).toEqual([
      ["build.log", 9, "text/plain"],
      ["blob.bin", 3, "application/octet-stream"],
    ]);
    expect(await (await fetch(message.attachments[0]!.url)).text()).toBe("line one\n");

    const many = new FormData();
    many.append("payload_json", JSON.stringify({ content: "too many" }));
    for (let i = 0; i < 11; i++) many.append(`files[${i}]`, new Blob(["x"]), `f${i}.txt`);
    expect((await t.app.request(`/webhooks/${hook.id}/${hook.token}`, { method: "POST", body: many })).status).toBe(400);
  });

  it("allowed_mentions: @everyone and role mentions count only if allowed and the creator holds MENTION_EVERYONE; users as listed", async () => {
    const s = await t.server();
    const [creator, named, other] = [await t.member(s), await t.member(s), await t.member(s)];
    const base = `/servers/${s.id}`;
    const give = async (permissions: string, name: string) => {
      const role = (await t.call("POST", `${base}/roles`, { token: s.owner.token, body: { name, permissions, mentionable: true } })).body;
      await t.call("PUT", `${base}/members/${creator.id}/roles/${role.id}`, { token: s.owner.token });
      return role as { id: string };
    };
    const hooksRole = await give(MANAGE_WEBHOOKS, "Hookers");
    const hook = await createHook(s, creator.token);
    const post = async (body: object) => (await execute(hook, body, "?wait=true")).body as { mentions: string[]; mentionsEveryone: boolean; mentionRoles: string[] };
    const content = `@everyone @hookers @${named.username} @${other.username}`;

    // The creator lacks MENTION_EVERYONE: no @everyone, no role mentions (even a mentionable one), users by default all.
    expect(await post({ content })).toMatchObject({ mentionsEveryone: false, mentionRoles: [], mentions: [named.id, other.id] });
    await give(MENTION_EVERYONE, "Herald");
    // Now allowed by default (no allowed_mentions) …
    expect(await post({ content })).toMatchObject({ mentionsEveryone: true, mentionRoles: [hooksRole.id], mentions: [named.id, other.id] });
    // … and only what allowed_mentions lets through.
    expect(await post({ content, allowed_mentions: { parse: [] } })).toMatchObject({ mentionsEveryone: false, mentionRoles: [], mentions: [] });
    expect(await post({ content, allowed_mentions: { parse: ["everyone"], users: [named.id] } })).toMatchObject({
      mentionsEveryone: true,
      mentionRoles: [],
      mentions: [named.id],
    });
    expect(await post({ content, allowed_mentions: { parse: ["roles", "users"] } })).toMatchObject({ mentionsEveryone: false, mentionRoles: [hooksRole.id] });
    // The creator loses MENTION_EVERYONE by leaving: @everyone no longer notifies, the webhook still posts.
    await t.call("DELETE", `${base}/members/me`, { token: creator.token });
    expect(await post({ content })).toMatchObject({ mentionsEveryone: false, mentionRoles: [] });
  });

  it("30 executions a minute per webhook, with the usage limits off: then 429 with retry-after and Discord's body; another webhook is not held", async () => {
    const s = await t.server();
    const [hook, other] = [await createHook(s), await createHook(s, s.owner.token, "other")];
    // The limit counts in fixed minutes: the clock stands still inside one for this test.
    const clock = t.deps.db.clock;
    const inOneMinute = Math.floor(clock.now() / 60_000) * 60_000 + 1_000;
    t.deps.db.clock = { now: () => inOneMinute };
    onTestFinished(() => void (t.deps.db.clock = clock));
    for (let i = 0; i < 30; i++) expect((await execute(hook, { content: `n${i}` })).status).toBe(204);
    const count = (await history(s)).length;
    const refused = await execute(hook, { content: "one too many" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ message: expect.any(String), retry_after: expect.any(Number), global: false });
    expect((await execute(hook, { text: "slack too" }, "/slack")).status).toBe(429);
    expect((await history(s)).length).toBe(count);
    expect((await execute(other, { content: "free" })).status).toBe(204);
  });
});

describe("a deleted server's or channel's webhooks", () => {
  /** The purge held back until the test opens it: what answers "at once" answers before any purge ran. */
  const holdPurges = () => {
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    const worker = createPurgeWorker(t.deps, { beforeSlice: () => opened });
    const before = t.deps.purges;
    t.deps.purges = worker;
    onTestFinished(() => void (t.deps.purges = before));
    return { open, done: () => worker.idle() };
  };
  const stored = async (hook: Hook) => (await t.deps.db.entities.webhooks.get({ webhookId: hook.id }).go({ consistent: true })).data;

  it("a deleted channel's stop at once (404, nothing posted) while the server's others post; its purge removes them", async () => {
    const s = await t.server();
    const alerts = (await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "alerts" } })).body;
    const doomed = (await t.call("POST", `/servers/${s.id}/channels/${alerts.id}/webhooks`, { token: s.owner.token, body: { name: "alerting" } })).body as Hook;
    const kept = await createHook(s);
    const purge = holdPurges();
    expect((await t.call("DELETE", `/servers/${s.id}/channels/${alerts.id}`, { token: s.owner.token })).status).toBe(204);
    for (const [suffix, body] of [["", { content: "after" }], ["/slack", { text: "after" }]] as const) {
      const res = await execute(doomed, body, suffix);
      expect(res.status, suffix).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    expect((await execute(kept, { content: "still here" })).status).toBe(204);
    purge.open();
    await purge.done();
    expect(await stored(doomed)).toBeNull();
    expect(await stored(kept)).not.toBeNull();
    expect(((await t.call("GET", `/servers/${s.id}/webhooks`, { token: s.owner.token })).body as Hook[]).map((h) => h.id)).toEqual([kept.id]);
  });

  it("a deleted server's stop at once (404, nothing stored), before its purge; the purge removes them", async () => {
    const s = await t.server();
    const hook = await createHook(s);
    expect((await execute(hook, { content: "before" })).status).toBe(204);
    const purge = holdPurges();
    expect((await t.call("DELETE", `/servers/${s.id}`, { token: s.owner.token })).status).toBe(204);
    // The channel's items are still in the table (the purge waits), yet nothing more is posted there.
    const messages = async () => (await t.deps.db.entities.messages.query.byChannel({ channelId: s.channelId }).go({ consistent: true })).data.length;
    const count = await messages();
    for (const [suffix, body] of [["", { content: "after" }], ["/slack", { text: "after" }]] as const) {
      expect((await execute(hook, body, suffix)).status, suffix).toBe(404);
    }
    const form = new FormData();
    form.set("payload_json", JSON.stringify({ content: "a file" }));
    form.set("files[0]", new Blob(["hello"], { type: "text/plain" }), "a.txt");
    expect((await t.app.request(`/webhooks/${hook.id}/${hook.token}`, { method: "POST", body: form })).status).toBe(404);
    expect(await messages()).toBe(count);
    expect(await stored(hook)).not.toBeNull();
    purge.open();
    await purge.done();
    expect(await stored(hook)).toBeNull();
    expect((await execute(hook, { content: "after the purge" })).status).toBe(404);
  });
});
