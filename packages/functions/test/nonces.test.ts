/** api.md "Idempotent sends": a repeated nonce stores nothing, pushes nothing, and answers 200 with the first message. */
import { beforeAll, describe, expect, it } from "vitest";
import { testApi, type TestApi } from "@agorusta/testing";
import { skewedClock } from "@agorusta/core/store";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: TestApi;
beforeAll(async () => {
  t = await testApi({ publisher });
});

const pushes = (type: string) => publisher.sent.filter((p) => "event" in p && p.event.type === type);

describe("POST …/messages with a nonce", () => {
  it("a repeat by the same author in the same channel: 200 with the first message, nothing stored or pushed again", async () => {
    const s = await t.server();
    const path = `/servers/${s.id}/channels/${s.channelId}/messages`;
    publisher.clear();
    const first = await t.call("POST", path, { token: s.owner.token, body: { content: "once", nonce: "n-1_A" } });
    expect(first.status).toBe(201);
    expect(first.body.nonce).toBe("n-1_A");
    // Even with other content: the nonce names the send, not the text.
    const again = await t.call("POST", path, { token: s.owner.token, body: { content: "once, retried", nonce: "n-1_A" } });
    expect(again).toMatchObject({ status: 200, body: first.body });
    expect((await t.call("GET", path, { token: s.owner.token })).body).toEqual([first.body]);
    expect(pushes("new_message")).toHaveLength(1);
    expect(pushes("channel_activity")).toHaveLength(1);
  });

  it("ten concurrent sends with one nonce store one message: one 201, nine 200 with it", async () => {
    const s = await t.server();
    const path = `/servers/${s.id}/channels/${s.channelId}/messages`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.call("POST", path, { token: s.owner.token, body: { content: "race", nonce: "same" } })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(9);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect((await t.call("GET", path, { token: s.owner.token })).body).toHaveLength(1);
  });

  it("is per author and per conversation; without a nonce every send is new (nonce: null)", async () => {
    const s = await t.server();
    const member = await t.member(s);
    const c2 = (await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "two" } })).body;
    const general = `/servers/${s.id}/channels/${s.channelId}/messages`;
    const two = `/servers/${s.id}/channels/${c2.id}/messages`;
    const body = { content: "hi", nonce: "shared" };
    const results = [
      await t.call("POST", general, { token: s.owner.token, body }),
      await t.call("POST", general, { token: member.token, body }),
      await t.call("POST", two, { token: s.owner.token, body }),
    ];
    expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(3);
    const plain = [await t.call("POST", general, { token: s.owner.token, body: { content: "x" } }), await t.call("POST", general, { token: s.owner.token, body: { content: "x" } })];
    expect(plain.map((r) => [r.status, r.body.nonce])).toEqual([[201, null], [201, null]]);
  });

  it("holds for 24 hours: a day later the same nonce sends a new message", async () => {
    const s = await t.server();
    const path = `/servers/${s.id}/channels/${s.channelId}/messages`;
    const first = await t.call("POST", path, { token: s.owner.token, body: { content: "monday", nonce: "daily" } });
    const clock = t.deps.db.clock;
    try {
      // The guard's TTL is past; DynamoDB's sweeper may not have deleted it yet, and need not have.
      t.deps.db.clock = skewedClock(24 * 3600 * 1000 + 1000);
      const later = await t.call("POST", path, { token: s.owner.token, body: { content: "tuesday", nonce: "daily" } });
      expect(later.status).toBe(201);
      expect(later.body.id).not.toBe(first.body.id);
    } finally {
      t.deps.db.clock = clock;
    }
  });

  it("refuses a nonce that is not 1–64 of [A-Za-z0-9_-] with 400", async () => {
    const s = await t.server();
    const path = `/servers/${s.id}/channels/${s.channelId}/messages`;
    for (const nonce of ["", "a".repeat(65), "has space", "dot.dot", "ü", 42, null]) {
      const res = await t.call("POST", path, { token: s.owner.token, body: { content: "x", nonce } });
      expect(res.status, JSON.stringify(nonce)).toBe(400);
    }
    expect((await t.call("POST", path, { token: s.owner.token, body: { content: "x", nonce: "a".repeat(64) } })).status).toBe(201);
    expect((await t.call("GET", path, { token: s.owner.token })).body).toHaveLength(1);
  });

  it("a repeat whose first message was deleted meanwhile stores nothing: 404", async () => {
    const s = await t.server();
    const path = `/servers/${s.id}/channels/${s.channelId}/messages`;
    const first = await t.call("POST", path, { token: s.owner.token, body: { content: "gone soon", nonce: "del" } });
    await t.call("DELETE", `${path}/${first.body.id}`, { token: s.owner.token });
    const again = await t.call("POST", path, { token: s.owner.token, body: { content: "gone soon", nonce: "del" } });
    expect(again).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect((await t.call("GET", path, { token: s.owner.token })).body).toEqual([]);
  });
});

describe("POST /dms/:id/messages with a nonce", () => {
  it("a repeat answers 200 with the first message and pushes nothing; the other participant's same nonce is theirs", async () => {
    const [a, b] = [await t.user(), await t.user()];
    const id = (await t.call("POST", "/dms", { token: a.token, body: { userId: b.id } })).body.id;
    const path = `/dms/${id}/messages`;
    publisher.clear();
    const first = await t.call("POST", path, { token: a.token, body: { content: "hey", nonce: "dm1" } });
    const again = await t.call("POST", path, { token: a.token, body: { content: "hey", nonce: "dm1" } });
    const theirs = await t.call("POST", path, { token: b.token, body: { content: "hey", nonce: "dm1" } });
    expect([first.status, again.status, theirs.status]).toEqual([201, 200, 201]);
    expect(again.body).toEqual(first.body);
    expect(first.body.nonce).toBe("dm1");
    expect(pushes("new_dm_message")).toHaveLength(2);
    expect((await t.call("GET", path, { token: a.token })).body.map((m: { id: string }) => m.id)).toEqual([first.body.id, theirs.body.id]);
  });
});
