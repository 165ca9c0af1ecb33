import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testApiWithServer, type TestApi, type TestServer, type TestUser } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: TestApi;
let s: TestServer;
let author: TestUser;
let other: TestUser;
let path: string;

beforeAll(async () => {
  ({ t, s } = await testApiWithServer({ publisher }));
  author = await t.member(s);
  other = await t.member(s);
  path = `/servers/${s.id}/channels/${s.channelId}/messages`;
});
beforeEach(() => publisher.clear());

const post = async (content = "original") => (await t.call("POST", path, { token: author.token, body: { content } })).body;

describe("PATCH …/messages/:mid", () => {
  it("lets the author edit: 200 Message with editedAt, stored, and pushed as message_updated", async () => {
    const m = await post();
    publisher.clear();
    const res = await t.call("PATCH", `${path}/${m.id}`, { token: author.token, body: { content: "  edited  " } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...m, content: "edited", editedAt: expect.stringMatching(/Z$/), revision: 2 });
    const page = await t.call("GET", `${path}?limit=100`, { token: other.token });
    expect(page.body.find((x: { id: string }) => x.id === m.id)).toEqual(res.body);
    expect(publisher.sent).toEqual([{ to: "channel", channelId: s.channelId, event: { type: "message_updated", message: res.body, cursor: expect.any(String) } }]);
  });

  it("answers 403 to anyone else who can see it, the owner included, and changes nothing", async () => {
    const m = await post();
    for (const who of [other, s.owner]) {
      const res = await t.call("PATCH", `${path}/${m.id}`, { token: who.token, body: { content: "hijack" } });
      expect(res).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    }
    const page = await t.call("GET", `${path}?limit=100`, { token: author.token });
    expect(page.body.find((x: { id: string }) => x.id === m.id).content).toBe("original");
    expect(publisher.sent.filter((p) => "event" in p && p.event.type === "message_updated")).toEqual([]);
  });

  it("answers 404 to a non-member, for an unknown message, and through another channel", async () => {
    const m = await post();
    const stranger = await t.user();
    expect((await t.call("PATCH", `${path}/${m.id}`, { token: stranger.token, body: { content: "x" } })).status).toBe(404);
    expect((await t.call("PATCH", `${path}/01ARZ3NDEKTSV4RRFFQ69G5FAV`, { token: author.token, body: { content: "x" } })).status).toBe(404);
    const c2 = await t.call("POST", `/servers/${s.id}/channels`, { token: s.owner.token, body: { name: `other-${Date.now()}` } });
    const wrongChannel = `/servers/${s.id}/channels/${c2.body.id}/messages/${m.id}`;
    expect((await t.call("PATCH", wrongChannel, { token: author.token, body: { content: "x" } })).status).toBe(404);
  });

  it("validates the content like a new message", async () => {
    const m = await post();
    for (const content of ["", "  ", "x".repeat(4001), 7]) {
      expect((await t.call("PATCH", `${path}/${m.id}`, { token: author.token, body: { content } })).status).toBe(400);
    }
  });
});

describe("DELETE …/messages/:mid", () => {
  it("lets the author delete (204): gone from history, pushed as message_deleted", async () => {
    const m = await post();
    publisher.clear();
    expect((await t.call("DELETE", `${path}/${m.id}`, { token: author.token })).status).toBe(204);
    const page = await t.call("GET", `${path}?limit=100`, { token: author.token });
    expect(page.body.map((x: { id: string }) => x.id)).not.toContain(m.id);
    expect(publisher.sent).toEqual([
      { to: "channel", channelId: s.channelId, event: { type: "message_deleted", channelId: s.channelId, messageId: m.id, cursor: expect.any(String) } },
    ]);
    expect((await t.call("DELETE", `${path}/${m.id}`, { token: author.token })).status).toBe(404);
    expect((await t.call("PATCH", `${path}/${m.id}`, { token: author.token, body: { content: "back?" } })).status).toBe(404);
  });

  it("lets the server's owner delete anyone's message", async () => {
    const m = await post();
    expect((await t.call("DELETE", `${path}/${m.id}`, { token: s.owner.token })).status).toBe(204);
  });

  it("answers 403 to another member and 404 to a non-member", async () => {
    const m = await post();
    expect((await t.call("DELETE", `${path}/${m.id}`, { token: other.token })).status).toBe(403);
    expect((await t.call("DELETE", `${path}/${m.id}`, { token: (await t.user()).token })).status).toBe(404);
  });
});
