import { beforeAll, describe, expect, it } from "vitest";
import { testApiWithServer, type TestApi, type TestServer } from "@agorusta/testing";

let t: TestApi;
let s: TestServer;
let path: string;
beforeAll(async () => {
  // Posts far more than 20 messages a conversation in 10 s: the message rate limit would refuse them.
  ({ t, s } = await testApiWithServer({ usageLimits: "off" }));
  path = `/servers/${s.id}/channels/${s.channelId}/messages`;
});

const send = (token: string, content: unknown, p = path) => t.call("POST", p, { token, body: { content } });

describe("POST …/messages", () => {
  it("stores the message and answers 201 Message with its author", async () => {
    const res = await send(s.owner.token, "  hello world  ");
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      channelId: s.channelId,
      serverId: s.id,
      authorId: s.owner.id,
      author: { id: s.owner.id, username: s.owner.username, createdAt: s.owner.createdAt, avatarUrl: null },
      content: "hello world",
      createdAt: expect.any(String),
      editedAt: null,
      replyTo: null,
      reactions: [],
      attachments: [],
      revision: 1,
      nonce: null,
      mentions: [],
      mentionsEveryone: false,
    });
  });

  it("stores HTML and unicode verbatim, as text", async () => {
    const content = `<script>alert("x")</script> & <b>bold</b> — 日本語 👩‍👩‍👧 \u202Eevil`;
    const res = await send(s.owner.token, content);
    expect(res.body.content).toBe(content);
    const page = await t.call("GET", `${path}?limit=1`, { token: s.owner.token });
    expect(page.body[0].content).toBe(content);
  });

  it("accepts 4000 characters (even as emoji) and refuses 4001", async () => {
    expect((await send(s.owner.token, "a".repeat(4000))).status).toBe(201);
    expect((await send(s.owner.token, "👍".repeat(4000))).status).toBe(201);
    const res = await send(s.owner.token, "a".repeat(4001));
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe("content");
  });

  it.each([["empty", ""], ["blank", " \n\t "], ["a number", 5], ["null", null], ["an object", { a: 1 }]])(
    "refuses %s content with 400",
    async (_, content) => {
      const res = await send(s.owner.token, content);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    },
  );

  it("answers 404 for a channel of another server, even to a member of both", async () => {
    const other = await t.server(s.owner);
    const res = await send(s.owner.token, "hi", `/servers/${s.id}/channels/${other.channelId}/messages`);
    expect(res).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
  });

  it("answers 404 to a non-member, and lets a member send", async () => {
    const stranger = await t.user();
    expect((await send(stranger.token, "hi")).status).toBe(404);
    const member = await t.member(s);
    expect((await send(member.token, "hi")).status).toBe(201);
  });
});

describe("GET …/messages", () => {
  let ch: string;
  let ids: string[];
  beforeAll(async () => {
    const c = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: "history" } });
    ch = `/servers/${s.id}/channels/${c.body.id}/messages`;
    ids = [];
    for (let i = 0; i < 120; i++) ids.push((await send(s.owner.token, `m${i}`, ch)).body.id);
  });
  const page = (query: string) => t.call("GET", `${ch}${query}`, { token: s.owner.token });
  const contents = (r: { body: { content: string }[] }) => r.body.map((m) => m.content);

  it("gives the newest 50 by default, oldest first", async () => {
    const res = await page("");
    expect(res.status).toBe(200);
    expect(contents(res)).toEqual(Array.from({ length: 50 }, (_, i) => `m${70 + i}`));
  });

  it("pages back with `before` until the start, with no gap and no repeat", async () => {
    const seen: string[] = [];
    let before = "";
    for (;;) {
      const res = await page(`?limit=33${before ? `&before=${before}` : ""}`);
      if (res.body.length === 0) break;
      seen.unshift(...contents(res));
      before = res.body[0].id;
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `m${i}`));
  });

  it("pages forward with `after` (catch-up), oldest first", async () => {
    expect(contents(await page(`?after=${ids[10]}&limit=3`))).toEqual(["m11", "m12", "m13"]);
    expect(contents(await page(`?after=${ids[119]}`))).toEqual([]);
  });

  it("honours limit 1 and 100", async () => {
    expect(contents(await page("?limit=1"))).toEqual(["m119"]);
    expect((await page("?limit=100")).body).toHaveLength(100);
  });

  it("ignores the channel's WebSocket subscriptions, which share its partition", async () => {
    const channelId = ch.split("/")[4]!;
    await t.deps.db.entities.subscriptions.create({ channelId, connectionId: "conn-1", serverId: s.id, userId: s.owner.id }).go();
    expect(contents(await page(`?after=${ids[118]}`))).toEqual(["m119"]);
    expect(contents(await page("?limit=2"))).toEqual(["m118", "m119"]);
  });

  it.each(["?limit=0", "?limit=101", "?limit=abc", "?limit=-1", "?limit=1.5", "?before=nope", "?after=%00", `?before=${"Z".repeat(27)}`])(
    "answers 400 for %s",
    async (query) => {
      const res = await page(query);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    },
  );

  it("answers 400 for before and after together", async () => {
    const res = await page(`?before=${ids[5]}&after=${ids[1]}`);
    expect(res.status).toBe(400);
  });

  it("answers [] before the first message and for an unknown but well-formed cursor far in the past", async () => {
    expect((await page(`?before=${ids[0]}`)).body).toEqual([]);
    expect((await page("?before=00000000000000000000000000")).body).toEqual([]);
  });

  it("answers 404 to a non-member and for an unknown channel", async () => {
    const stranger = await t.user();
    expect((await t.call("GET", ch, { token: stranger.token })).status).toBe(404);
    expect((await t.call("GET", `/servers/${s.id}/channels/01ARZ3NDEKTSV4RRFFQ69G5FAV/messages`, { token: s.owner.token })).status).toBe(404);
  });
});

describe("broadcast", () => {
  it("pushes new_message to the channel after the message is stored", async () => {
    const calls: unknown[] = [];
    const stored: boolean[] = [];
    t.deps.publisher = {
      // The event may still be storing when the publisher is handed it: it posts once it resolves.
      toChannel: async (audience, pending) => {
        const event = await pending;
        if (!event) return;
        // A whole-server audience is the server's subscribers.
        calls.push({ channelId: audience.wholeServer ? audience.serverId : audience.channelId, event });
        const page = await t.call("GET", `${path}?limit=1`, { token: s.owner.token });
        stored.push(page.body[0].id === ("message" in event ? event.message.id : "messageId" in event ? event.messageId : null));
      },
      toServer: async () => {},
      toUsers: async () => {},
      toConnection: async () => {},
      disconnect: async () => {},
    };
    const res = await send(s.owner.token, "live");
    // The channel's subscribers get the message; the server's whole-server subscribers its activity.
    expect(calls).toEqual([
      { channelId: s.channelId, event: { type: "new_message", message: res.body, cursor: expect.any(String) } },
      {
        channelId: s.id,
        event: { type: "channel_activity", serverId: s.id, channelId: s.channelId, messageId: res.body.id, authorId: s.owner.id, mentions: [], mentionsEveryone: false },
      },
    ]);
    expect(stored).toEqual([true, true]);
  });
});
