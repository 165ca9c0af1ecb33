import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { testApi, type TestApi, type TestUser } from "@agorusta/testing";
import { recordingPublisher } from "./recordingPublisher.ts";

const publisher = recordingPublisher();
let t: TestApi;
let alice: TestUser;
let bob: TestUser;
let path: string;

beforeAll(async () => {
  t = await testApi({ publisher });
  alice = await t.user();
  bob = await t.user();
  const dm = await t.call("POST", "/dms", { token: alice.token, body: { userId: bob.id } });
  path = `/dms/${dm.body.id}/messages`;
});
beforeEach(() => publisher.clear());

const say = async (content = "hello") => (await t.call("POST", path, { token: alice.token, body: { content } })).body;

describe("PATCH /dms/:id/messages/:mid", () => {
  it("lets the author edit (200, editedAt), stored, pushed to both participants as dm_message_updated", async () => {
    const m = await say();
    publisher.clear();
    const res = await t.call("PATCH", `${path}/${m.id}`, { token: alice.token, body: { content: " hello again " } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...m, content: "hello again", editedAt: expect.any(String), revision: 2 });
    const page = await t.call("GET", path, { token: bob.token });
    expect(page.body.find((x: { id: string }) => x.id === m.id)).toEqual(res.body);
    expect(publisher.sent).toEqual([{ to: "users", userIds: [expect.any(String), expect.any(String)], event: { type: "dm_message_updated", message: res.body, cursor: expect.any(String) } }]);
    expect([...(publisher.sent[0] as { userIds: string[] }).userIds].sort()).toEqual([alice.id, bob.id].sort());
  });

  it("answers 403 to the other participant, 404 to anyone else and for unknown messages, 400 for bad content", async () => {
    const m = await say();
    expect((await t.call("PATCH", `${path}/${m.id}`, { token: bob.token, body: { content: "x" } })).status).toBe(403);
    expect((await t.call("PATCH", `${path}/${m.id}`, { token: (await t.user()).token, body: { content: "x" } })).status).toBe(404);
    expect((await t.call("PATCH", `${path}/01ARZ3NDEKTSV4RRFFQ69G5FAV`, { token: alice.token, body: { content: "x" } })).status).toBe(404);
    expect((await t.call("PATCH", `${path}/${m.id}`, { token: alice.token, body: { content: "" } })).status).toBe(400);
    expect(publisher.sent.filter((p) => "event" in p && p.event.type === "dm_message_updated")).toEqual([]);
  });
});

describe("DELETE /dms/:id/messages/:mid", () => {
  it("lets the author delete (204): gone, pushed as dm_message_deleted, then 404", async () => {
    const m = await say();
    publisher.clear();
    expect((await t.call("DELETE", `${path}/${m.id}`, { token: alice.token })).status).toBe(204);
    expect((await t.call("GET", path, { token: bob.token })).body.map((x: { id: string }) => x.id)).not.toContain(m.id);
    expect(publisher.sent).toEqual([{
      to: "users", userIds: expect.arrayContaining([alice.id, bob.id]),
      event: { type: "dm_message_deleted", conversationId: path.split("/")[2], messageId: m.id, cursor: expect.any(String) },
    }]);
    expect((await t.call("DELETE", `${path}/${m.id}`, { token: alice.token })).status).toBe(404);
  });

  it("answers 403 to the other participant and 404 to anyone else", async () => {
    const m = await say();
    expect((await t.call("DELETE", `${path}/${m.id}`, { token: bob.token })).status).toBe(403);
    expect((await t.call("DELETE", `${path}/${m.id}`, { token: (await t.user()).token })).status).toBe(404);
    expect((await t.call("GET", path, { token: alice.token })).body.map((x: { id: string }) => x.id)).toContain(m.id);
  });
});
