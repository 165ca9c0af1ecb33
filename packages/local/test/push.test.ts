/**
 * Push as `npm start` runs it (issue 25): the runtime's own VAPID key and in-process push
 * worker, loopback push services allowed. A DM to someone with no socket open reaches their
 * subscription, decrypted by a push service on this machine; a settings change reaches the
 * user's open sockets as `notification_settings`, and while a socket is open nothing is pushed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPushService } from "@agorusta/testing/pushService";
import { liveRuntime } from "./wsClient.ts";

const live = liveRuntime();
// The send benchmark's runtime (bench:ws): deployed, pushes are the push queue's Lambda, not a part of a send.
const withoutPush = liveRuntime({ push: false });
let service: Awaited<ReturnType<typeof startPushService>>;
beforeAll(async () => {
  service = await startPushService();
});
afterAll(() => service.close());

describe("push under npm start", () => {
  it("pushes a DM to who is away, tells settings live to open sockets, and pushes nothing while one is open", async () => {
    const [alice, bob] = await Promise.all([live.api.user(), live.api.user()]);
    const key = await live.api.call("GET", "/push/key", { token: bob.token });
    expect(key.body.publicKey).toMatch(/^B[A-Za-z0-9_-]{86}$/);
    const sub = service.subscription("bob");
    expect((await live.api.call("POST", "/push/subscriptions", { token: bob.token, body: sub })).status).toBe(201);
    const dm = await live.api.call("POST", "/dms", { token: alice.token, body: { userId: bob.id } });
    const away = await live.api.call("POST", `/dms/${dm.body.id}/messages`, { token: alice.token, body: { content: "are you there?" } });
    await live.rt.pushes.idle();
    expect(service.to("bob")).toEqual([
      { type: "message", title: alice.username, body: "are you there?", url: `/dms/${dm.body.id}#message-${away.body.id}`, tag: `dm-${dm.body.id}` },
    ]);
    expect(service.received[0]!.vapid.publicKey).toBe(key.body.publicKey);

    const ws = await live.open(bob);
    expect((await live.api.call("PUT", "/notification-settings/dms", { token: bob.token, body: { muted: false } })).status).toBe(200);
    expect(await ws.waitFor((f) => f.type === "notification_settings")).toEqual({ type: "notification_settings", dmsMuted: false });
    await live.api.call("POST", `/dms/${dm.body.id}/messages`, { token: alice.token, body: { content: "oh, you are here" } });
    await live.rt.pushes.idle();
    expect(service.to("bob")).toHaveLength(1);
    expect(service.errors).toEqual([]);
  });

  it("with push off, as the send benchmark runs, queues nothing: the message is stored and nobody is pushed", async () => {
    const [alice, bob] = await Promise.all([withoutPush.api.user(), withoutPush.api.user()]);
    const sub = service.subscription("bob-without-push");
    expect((await withoutPush.api.call("POST", "/push/subscriptions", { token: bob.token, body: sub })).status).toBe(201);
    const dm = await withoutPush.api.call("POST", "/dms", { token: alice.token, body: { userId: bob.id } });
    expect((await withoutPush.api.call("POST", `/dms/${dm.body.id}/messages`, { token: alice.token, body: { content: "not pushed" } })).status).toBe(201);
    await withoutPush.rt.pushes.idle();
    expect(service.to("bob-without-push")).toEqual([]);
    expect((await withoutPush.api.call("GET", `/dms/${dm.body.id}/messages`, { token: bob.token })).body.map((m: { content: string }) => m.content)).toEqual(["not pushed"]);
  });
});
