/**
 * Reaching people who are not looking (api.md, issue 25): the account's notification settings
 * and their `notification_settings` event, push subscriptions and their rules, and who a new
 * message is pushed to, received and decrypted by a push service on this machine
 * (fixtures/push/pushService.ts). Pushes run in the in-process worker `npm start` uses, over a
 * client holding the push Lambda's grant; `idle()` waits for them, never a clock.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { createDb, createDynamoClients, localDynamoConfig, type Db } from "@agorusta/core";
import { closeConnection, openConnection } from "@agorusta/core/realtime";
import { listNotificationSettings, pushSubscriptionsOf, endpointRefusal, MAX_PUSH_SUBSCRIPTIONS } from "@agorusta/core/notifications";
import { skewedClock, type Clock } from "@agorusta/core/store";
import { testApi, type TestApi, type TestServer, type TestUser } from "@agorusta/testing";
import { createPushWorker, type PushWorker } from "@agorusta/local/pushWorker";
import { newVapidPrivateKey, vapidKeysFrom, type PushSetup } from "../src/push/setup.ts";
import { createPushSender, guardedLookup } from "../src/push/transport.ts";
import { deliverPush } from "../src/push/deliver.ts";
import { dynamoActions } from "../src/lambda/permissions.ts";
import { recordingPublisher } from "./recordingPublisher.ts";
import { startPushService } from "@agorusta/testing/pushService";

const VIEW_CHANNEL = String(1n << 10n);

let t: TestApi;
let service: Awaited<ReturnType<typeof startPushService>>;
let setup: PushSetup;
let worker: PushWorker;
const publisher = recordingPublisher();
/** The push Lambda's view of the table (its grant only), at an offset from now. */
let pushDb: (clock?: Clock) => Db;

beforeAll(async () => {
  [t, service] = await Promise.all([testApi({ publisher }), startPushService()]);
  setup = { vapid: vapidKeysFrom(newVapidPrivateKey(), "mailto:test@example.com"), endpoints: "local" };
  const tableName = t.deps.db.entities.users.getTableName()!;
  const client = createDynamoClients(localDynamoConfig(inject("dynamoEndpoint")), { allowedActions: dynamoActions.push }).document;
  pushDb = (clock) => createDb(client, tableName, clock);
  worker = createPushWorker({ db: pushDb(), sender: createPushSender(setup) });
  Object.assign(t.deps, { push: setup, pushes: worker });
});
afterAll(() => service.close());

/** A user whose browser subscribed (as `name` at the push service). */
async function subscribed(user: TestUser, name = user.username, status = 201) {
  const sub = service.subscription(name, status);
  const res = await t.call("POST", "/push/subscriptions", { token: user.token, body: sub });
  expect(res.status).toBe(201);
  return sub;
}

const post = async (s: TestServer, author: TestUser, content: string, channelId = s.channelId) => {
  const res = await t.call("POST", `/servers/${s.id}/channels/${channelId}/messages`, { token: author.token, body: { content } });
  expect(res.status).toBe(201);
  await worker.idle();
  return res.body as { id: string };
};

describe("VAPID keys", () => {
  it("are always 32 bytes, including the one in 256 whose scalar starts with a zero byte", () => {
    // 3,000 keys: the chance that none starts with a zero byte is (255/256)^3000, under 0.001%.
    const keys = Array.from({ length: 3000 }, () => newVapidPrivateKey());
    for (const key of keys) expect(Buffer.from(key, "base64url")).toHaveLength(32);
    for (const key of keys.filter((k) => Buffer.from(k, "base64url")[0] === 0)) expect(vapidKeysFrom(key, "mailto:test@example.com").privateKey).toBe(key);
  });
});

describe("notification settings", () => {
  it("are the defaults until set, then the account's on every device, each change told to the user's connections", async () => {
    const s = await t.server();
    const me = await t.member(s);
    expect((await t.call("GET", "/notification-settings", { token: me.token })).body).toEqual({ servers: {}, channels: {}, dmsMuted: false });

    publisher.clear();
    const until = new Date(Date.now() + 3600_000).toISOString();
    const server = await t.call("PUT", `/servers/${s.id}/notification-settings`, { token: me.token, body: { level: "all", muted: true, mutedUntil: until } });
    expect(server).toMatchObject({ status: 200, body: { level: "all", muted: true, mutedUntil: until } });
    const channel = await t.call("PUT", `/servers/${s.id}/channels/${s.channelId}/notification-settings`, { token: me.token, body: { level: "nothing", muted: false } });
    expect(channel).toMatchObject({ status: 200, body: { level: "nothing", muted: false } });
    expect((await t.call("PUT", "/notification-settings/dms", { token: me.token, body: { muted: true } })).body).toEqual({ dmsMuted: true });
    expect(publisher.sent).toEqual([
      { to: "users", userIds: [me.id], event: { type: "notification_settings", servers: { [s.id]: { level: "all", muted: true, mutedUntil: until } } } },
      { to: "users", userIds: [me.id], event: { type: "notification_settings", channels: { [s.channelId]: { level: "nothing", muted: false } } } },
      { to: "users", userIds: [me.id], event: { type: "notification_settings", dmsMuted: true } },
    ]);

    // Another sign-in (another device) reads the same.
    const other = await t.call("POST", "/auth/login", { body: { email: me.email, password: "correct horse battery" } });
    expect((await t.call("GET", "/notification-settings", { token: other.body.token })).body).toEqual({
      servers: { [s.id]: { level: "all", muted: true, mutedUntil: until } },
      channels: { [s.channelId]: { level: "nothing", muted: false } },
      dmsMuted: true,
    });
    // A timed mute ends by itself: two hours on, the server reads unmuted.
    expect((await listNotificationSettings(createDb(t.deps.db.client, t.deps.db.entities.users.getTableName()!, skewedClock(2 * 3600_000)), me.id)).servers[s.id])
      .toEqual({ level: "all", muted: false, mutedUntil: null });

    // Back to the defaults: nothing is kept, and muted:false drops a mutedUntil.
    expect((await t.call("PUT", `/servers/${s.id}/notification-settings`, { token: me.token, body: { level: "mentions", muted: false, mutedUntil: until } })).body)
      .toEqual({ level: "mentions", muted: false, mutedUntil: null });
    await t.call("PUT", `/servers/${s.id}/channels/${s.channelId}/notification-settings`, { token: me.token, body: { level: "default", muted: false } });
    await t.call("PUT", "/notification-settings/dms", { token: me.token, body: { muted: false } });
    expect((await t.call("GET", "/notification-settings", { token: me.token })).body).toEqual({ servers: {}, channels: {}, dmsMuted: false });
  });

  it("refuse what is not the caller's to set, and bad input, with the contract's errors", async () => {
    const s = await t.server();
    const me = await t.member(s);
    const stranger = await t.user();
    const secret = await t.call("POST", `/servers/${s.id}/channels`, {
      token: s.owner.token,
      body: { name: "staff", overwrites: [{ id: s.id, type: "role", allow: "0", deny: VIEW_CHANNEL }] },
    });
    expect(secret.status).toBe(201);
    const put = (user: TestUser, path: string, body: unknown) => t.call("PUT", path, { token: user.token, body });
    expect((await put(stranger, `/servers/${s.id}/notification-settings`, { level: "all", muted: false })).status).toBe(404);
    expect((await put(me, `/servers/${s.id}/channels/${secret.body.id}/notification-settings`, { level: "all", muted: false })).status).toBe(404);
    expect((await put(s.owner, `/servers/${s.id}/channels/${secret.body.id}/notification-settings`, { level: "all", muted: false })).status).toBe(200);
    expect((await put(me, `/servers/${s.id}/notification-settings`, { level: "default", muted: false })).status).toBe(400);
    expect((await put(me, `/servers/${s.id}/notification-settings`, { level: "all", muted: "yes" })).status).toBe(400);
    const past = await put(me, `/servers/${s.id}/notification-settings`, { level: "all", muted: true, mutedUntil: "2001-01-01T00:00:00Z" });
    expect(past).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    expect((await put(me, `/servers/${s.id}/notification-settings`, { level: "all", muted: true, mutedUntil: "soon" })).status).toBe(400);
    expect((await put(me, "/notification-settings/dms", {})).status).toBe(400);
    expect((await t.call("GET", "/notification-settings")).status).toBe(401);
  });

  it("of a server the user left are kept for a return, and not listed meanwhile", async () => {
    const s = await t.server();
    const me = await t.member(s);
    await t.call("PUT", `/servers/${s.id}/notification-settings`, { token: me.token, body: { level: "nothing", muted: false } });
    await t.call("PUT", `/servers/${s.id}/channels/${s.channelId}/notification-settings`, { token: me.token, body: { level: "all", muted: false } });
    expect((await t.call("DELETE", `/servers/${s.id}/members/me`, { token: me.token })).status).toBe(204);
    expect((await t.call("GET", "/notification-settings", { token: me.token })).body).toEqual({ servers: {}, channels: {}, dmsMuted: false });
  });
});

describe("push subscriptions", () => {
  it("are registered once per endpoint, at most 20, and removed by DELETE", async () => {
    const me = await t.user();
    expect((await t.call("GET", "/push/key", { token: me.token })).body).toEqual({ publicKey: setup.vapid.publicKey });
    const first = service.subscription("cap");
    expect((await t.call("POST", "/push/subscriptions", { token: me.token, body: first })).status).toBe(201);
    expect((await t.call("POST", "/push/subscriptions", { token: me.token, body: first })).status).toBe(200);
    for (let i = 1; i < MAX_PUSH_SUBSCRIPTIONS; i++) await subscribed(me, "cap");
    const over = await t.call("POST", "/push/subscriptions", { token: me.token, body: service.subscription("cap") });
    expect(over).toMatchObject({ status: 409, body: { error: { code: "limit_reached" } } });
    // The same endpoint again is still fine at the cap; one removed makes room.
    expect((await t.call("POST", "/push/subscriptions", { token: me.token, body: first })).status).toBe(200);
    expect((await t.call("DELETE", "/push/subscriptions", { token: me.token, body: { endpoint: first.endpoint } })).status).toBe(204);
    expect((await t.call("DELETE", "/push/subscriptions", { token: me.token, body: { endpoint: first.endpoint } })).status).toBe(204);
    expect(await pushSubscriptionsOf(t.deps.db, me.id)).toHaveLength(MAX_PUSH_SUBSCRIPTIONS - 1);
    await subscribed(me, "cap");
  });

  it("refuse endpoints the server may not post to (400), by the rule of where it runs", async () => {
    const me = await t.user();
    const keys = service.subscription("refused").keys;
    for (const endpoint of ["http://push.example.com/x", "ftp://127.0.0.1/x", "https://user:pw@push.example.com/x", "not a url", "https://10.1.2.3/x"]) {
      const res = await t.call("POST", "/push/subscriptions", { token: me.token, body: { endpoint, keys } });
      expect(res.status, endpoint).toBe(400);
    }
    const badKeys = await t.call("POST", "/push/subscriptions", { token: me.token, body: { endpoint: "https://push.example.com/x", keys: { p256dh: "abc", auth: keys.auth } } });
    expect(badKeys.status).toBe(400);
    // Deployed, no loopback, private, link-local or local name at all; a public https push service is fine.
    const deployed = [
      "http://127.0.0.1:8080/x", "https://127.0.0.1/x", "https://[::1]/x", "https://169.254.169.254/latest", "https://192.168.1.10/x",
      "https://[fd00::1]/x", "https://[::ffff:10.0.0.1]/x", "https://localhost/x", "https://printer.local/x", "https://0.0.0.0/x",
    ];
    for (const endpoint of deployed) expect(endpointRefusal(endpoint, "public"), endpoint).not.toBeNull();
    expect(endpointRefusal("https://fcm.googleapis.com/fcm/send/abc", "public")).toBeNull();
    expect(endpointRefusal("https://8.8.8.8/x", "public")).toBeNull();
    // Locally, http to loopback is accepted too (the test's own service).
    expect(endpointRefusal("http://127.0.0.1:8080/x", "local")).toBeNull();
    expect(endpointRefusal("http://[::1]:8080/x", "local")).toBeNull();
    expect(endpointRefusal("http://10.0.0.1/x", "local")).not.toBeNull();
    // A name is judged by what it resolves to when connecting: `localhost` (from the hosts file, no network needed).
    const resolve = (policy: "public" | "local") =>
      new Promise<string>((r) => guardedLookup(policy)("localhost", { all: true }, (err, addresses) => r(err ? String(err.code) : JSON.stringify(addresses))));
    expect(await resolve("public")).toBe("EPUSHADDRESS");
    expect(await resolve("local")).toMatch(/127\.0\.0\.1|::1/);
  });

  it("end with their session: sign-out ends this device's, sign-out everywhere and a password change all", async () => {
    const me = await t.user();
    const second = await t.call("POST", "/auth/login", { body: { email: me.email, password: "correct horse battery" } });
    const other = { ...me, token: second.body.token as string };
    await subscribed(me, "session-a");
    const kept = await subscribed(other, "session-b");
    expect((await t.call("POST", "/auth/logout", { token: me.token })).status).toBe(204);
    expect((await pushSubscriptionsOf(t.deps.db, me.id)).map((s) => s.endpoint)).toEqual([kept.endpoint]);

    const third = await t.call("POST", "/auth/login", { body: { email: me.email, password: "correct horse battery" } });
    await subscribed({ ...me, token: third.body.token }, "session-c");
    expect((await t.call("POST", "/auth/logout-all", { token: other.token })).status).toBe(204);
    expect(await pushSubscriptionsOf(t.deps.db, me.id)).toEqual([]);

    const fourth = await t.call("POST", "/auth/login", { body: { email: me.email, password: "correct horse battery" } });
    await subscribed({ ...me, token: fourth.body.token }, "session-d");
    const changed = await t.call("POST", "/auth/password", { token: fourth.body.token, body: { currentPassword: "correct horse battery", newPassword: "another horse battery" } });
    expect(changed.status).toBe(200);
    expect(await pushSubscriptionsOf(t.deps.db, me.id)).toEqual([]);
    // The count went down with them: twenty fit again.
    for (let i = 0; i < MAX_PUSH_SUBSCRIPTIONS; i++) await subscribed({ ...me, token: changed.body.token }, "session-e");
  });
});

describe("a new message is pushed", () => {
  it("for a DM, encrypted (aes128gcm) and signed (VAPID) for the subscription, opening that message; not while DMs are muted", async () => {
    const [alice, bob] = await Promise.all([t.user(), t.user()]);
    await subscribed(bob, "dm-bob");
    await subscribed(bob, "dm-bob");
    const dm = await t.call("POST", "/dms", { token: alice.token, body: { userId: bob.id } });
    const long = "word ".repeat(100);
    const sent = await t.call("POST", `/dms/${dm.body.id}/messages`, { token: alice.token, body: { content: long } });
    expect(sent.status).toBe(201);
    await worker.idle();
    const got = service.received.filter((r) => r.name === "dm-bob");
    expect(got).toHaveLength(2);
    for (const r of got) {
      expect(r.payload).toMatchObject({ type: "message", title: alice.username, url: `/dms/${dm.body.id}#message-${sent.body.id}`, tag: `dm-${dm.body.id}` });
      expect([...r.payload.body].length).toBeLessThanOrEqual(200);
      expect(r.payload.body.startsWith("word word")).toBe(true);
      expect(r.vapid).toEqual({ aud: service.origin, sub: "mailto:test@example.com", publicKey: setup.vapid.publicKey });
      expect(r.headers.ttl).toBeDefined();
    }
    // The sender's own message never reaches the sender.
    await subscribed(alice, "dm-alice");
    expect(service.to("dm-alice")).toEqual([]);

    await t.call("PUT", "/notification-settings/dms", { token: bob.token, body: { muted: true } });
    await t.call("POST", `/dms/${dm.body.id}/messages`, { token: alice.token, body: { content: "still there?" } });
    await worker.idle();
    expect(service.to("dm-bob")).toHaveLength(2);
    expect(service.errors).toEqual([]);
  });

  it("for a mention (by name, by role, @everyone) and in a channel set to all; never for nothing, a mute, or a channel the user cannot see", async () => {
    const s = await t.server();
    const member = () => t.member(s);
    const [named, roleHolder, allChannel, allServer, nothing, muted, bystander] = await Promise.all([member(), member(), member(), member(), member(), member(), member()]);
    const users = { named, roleHolder, allChannel, allServer, nothing, muted, bystander };
    for (const [name, u] of Object.entries(users)) await subscribed(u, `m-${name}`);
    const role = await t.call("POST", `/servers/${s.id}/roles`, { token: s.owner.token, body: { name: "oncall", mentionable: true } });
    expect((await t.call("PUT", `/servers/${s.id}/members/${roleHolder.id}/roles/${role.body.id}`, { token: s.owner.token })).status).toBe(204);
    const set = (u: TestUser, path: string, body: unknown) => t.call("PUT", path, { token: u.token, body });
    await set(allChannel, `/servers/${s.id}/channels/${s.channelId}/notification-settings`, { level: "all", muted: false });
    await set(allServer, `/servers/${s.id}/notification-settings`, { level: "all", muted: false });
    await set(nothing, `/servers/${s.id}/notification-settings`, { level: "nothing", muted: false });
    await set(muted, `/servers/${s.id}/notification-settings`, { level: "all", muted: true, mutedUntil: null });
    const got = (name: keyof typeof users) => service.to(`m-${name}`);

    const m1 = await post(s, s.owner, `hey @${named.username} @${nothing.username} @${muted.username}`);
    expect(got("named")).toEqual([
      { type: "message", title: `#general (${s.name})`, body: `${s.owner.username}: hey @${named.username} @${nothing.username} @${muted.username}`, url: `/servers/${s.id}/channels/${s.channelId}#message-${m1.id}`, tag: `channel-${s.channelId}` },
    ]);
    expect(got("allChannel")).toHaveLength(1);
    expect(got("allServer")).toHaveLength(1);
    for (const silent of ["nothing", "muted", "roleHolder", "bystander"] as const) expect(got(silent), silent).toEqual([]);

    await post(s, s.owner, "@oncall please look");
    expect(got("roleHolder")).toHaveLength(1);
    expect(got("bystander")).toEqual([]);

    await post(s, s.owner, "@everyone release at noon");
    expect(got("bystander")).toHaveLength(1);
    expect(got("named")).toHaveLength(2);
    expect(got("nothing")).toEqual([]);
    expect(got("muted")).toEqual([]);

    // A channel the members can no longer see: nobody but who still may hears of it.
    const hidden = await t.call("POST", `/servers/${s.id}/channels`, {
      token: s.owner.token,
      body: { name: "staff", overwrites: [{ id: s.id, type: "role", allow: "0", deny: VIEW_CHANNEL }, { id: roleHolder.id, type: "member", allow: VIEW_CHANNEL, deny: "0" }] },
    });
    const before = service.received.length;
    await post(s, s.owner, `@everyone secret plans @${named.username}`, hidden.body.id);
    expect(service.received.slice(before).map((r) => r.name)).toEqual(["m-roleHolder"]);
    expect(service.errors).toEqual([]);
  });

  it("only to who is not active: no connection open, none closed in the last 2 minutes", async () => {
    const [alice, bob] = await Promise.all([t.user(), t.user()]);
    await subscribed(bob, "active-bob");
    const dm = await t.call("POST", "/dms", { token: alice.token, body: { userId: bob.id } });
    const send = async (content: string) => (await t.call("POST", `/dms/${dm.body.id}/messages`, { token: alice.token, body: { content } })).body as { id: string };
    const connection = { connectionId: `c-${bob.id}`, userId: bob.id, connectedAt: new Date(), sessionId: "s", sessionExpiresAt: Math.floor(Date.now() / 1000) + 3600 };
    await openConnection(t.deps.db, connection);
    await send("while you are here");
    await worker.idle();
    expect(service.to("active-bob")).toEqual([]);
    await closeConnection(t.deps.db, connection.connectionId);
    const recent = await send("just after you left");
    await worker.idle();
    expect(service.to("active-bob")).toEqual([]);
    // Three minutes on, the same message finds them away.
    const later = { db: pushDb(skewedClock(3 * 60_000)), sender: createPushSender(setup) };
    expect(await deliverPush(later, { kind: "dm", conversationId: dm.body.id, messageId: recent.id })).toEqual({ sent: 1, gone: 0, failed: 0 });
    expect(service.to("active-bob").map((p) => p.body)).toEqual(["just after you left"]);
  });

  it("at most once per message per subscription, and a subscription the service says is gone (404, 410) is deleted", async () => {
    const [alice, bob] = await Promise.all([t.user(), t.user()]);
    await subscribed(bob, "once-bob");
    await subscribed(bob, "gone-bob", 410);
    await subscribed(bob, "missing-bob", 404);
    const dm = await t.call("POST", "/dms", { token: alice.token, body: { userId: bob.id } });
    const sent = await t.call("POST", `/dms/${dm.body.id}/messages`, { token: alice.token, body: { content: "once" } });
    await worker.idle();
    expect(service.to("once-bob")).toHaveLength(1);
    expect((await pushSubscriptionsOf(t.deps.db, bob.id)).map((s) => s.endpoint)).toHaveLength(1);
    // The queue delivers the job again: nothing is pushed twice.
    const again = await deliverPush({ db: pushDb(), sender: createPushSender(setup) }, { kind: "dm", conversationId: dm.body.id, messageId: sent.body.id });
    expect(again).toEqual({ sent: 0, gone: 0, failed: 0 });
    expect(service.to("once-bob")).toHaveLength(1);
    // The count followed the deletions: 19 more fit.
    for (let i = 1; i < MAX_PUSH_SUBSCRIPTIONS; i++) await subscribed(bob, "once-bob");
  });

  it("never makes the sender wait: the POST answers before any push is sent", async () => {
    const [alice, bob] = await Promise.all([t.user(), t.user()]);
    await subscribed(bob, "slow-bob");
    const dm = await t.call("POST", "/dms", { token: alice.token, body: { userId: bob.id } });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const queued: unknown[] = [];
    const pushes = t.deps.pushes;
    // A queue that holds every job until released: the send must answer regardless.
    t.deps.pushes = {
      enqueue: async (job) => {
        queued.push(job);
        void held.then(() => pushes.enqueue(job));
      },
    };
    try {
      const sent = await t.call("POST", `/dms/${dm.body.id}/messages`, { token: alice.token, body: { content: "no waiting" } });
      expect(sent.status).toBe(201);
      expect(queued).toEqual([{ kind: "dm", conversationId: dm.body.id, messageId: sent.body.id }]);
      expect(service.to("slow-bob")).toEqual([]);
    } finally {
      t.deps.pushes = pushes;
      release();
    }
    await held;
    await worker.idle();
    expect(service.to("slow-bob").map((p) => p.body)).toEqual(["no waiting"]);
  });
});
