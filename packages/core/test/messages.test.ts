import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../src/model/index.ts";
import { createServer, getServerDetail } from "../src/servers/server.ts";
import { listMessages } from "../src/conversations/pages.ts";
import { sendMessage } from "../src/conversations/send.ts";
import { channel } from "../src/conversations/kinds/channel.ts";
import { dm } from "../src/conversations/kinds/dm.ts";
import { startConversation } from "../src/dms/pairs.ts";
import { listConversations } from "../src/dms/inbox.ts";
import { freshDb, insertUser, stores, uniqueName } from "./harness.ts";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

describe("a channel's history", () => {
  it("pages by window: the newest page, the page before a message, the page after one, each oldest first", async () => {
    const owner = await insertUser(db);
    const server = await createServer(db, owner, uniqueName("History "));
    const channelId = (await getServerDetail(db, server.id, owner.userId)).channels[0]!.id;
    const at = { serverId: server.id, channelId, userId: owner.userId };
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) sent.push((await sendMessage(stores(db), channel, at, { ...at, content: `m${i}` })).message.id);
    const contents = (page: { content: string }[]) => page.map((m) => m.content);

    expect(contents(await listMessages(stores(db), channel, at, { ...at, limit: 3 }))).toEqual(["m4", "m5", "m6"]);
    expect(contents(await listMessages(stores(db), channel, at, { ...at, limit: 3, before: sent[4] }))).toEqual(["m1", "m2", "m3"]);
    expect(contents(await listMessages(stores(db), channel, at, { ...at, limit: 3, before: sent[1] }))).toEqual(["m0"]);
    expect(contents(await listMessages(stores(db), channel, at, { ...at, limit: 3, after: sent[1] }))).toEqual(["m2", "m3", "m4"]);
    expect(contents(await listMessages(stores(db), channel, at, { ...at, limit: 3, after: sent[6] }))).toEqual([]);
    expect(contents(await listMessages(stores(db), channel, at, { ...at, limit: 100 }))).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);
  });

  it("keeps ten messages sent at once, in id order", async () => {
    const owner = await insertUser(db);
    const server = await createServer(db, owner, uniqueName("Burst "));
    const channelId = (await getServerDetail(db, server.id, owner.userId)).channels[0]!.id;
    const at = { serverId: server.id, channelId, userId: owner.userId };
    const sent = await Promise.all(Array.from({ length: 10 }, (_, i) => sendMessage(stores(db), channel, at, { ...at, content: `b${i}` })));
    const page = await listMessages(stores(db), channel, at, { ...at, limit: 100 });
    expect(page.map((m) => m.id)).toEqual(sent.map((m) => m.message.id).sort());
  });
});

describe("direct conversations", () => {
  it("are one per pair when both sides start theirs ten times at once", async () => {
    const [a, b] = await Promise.all([insertUser(db), insertUser(db)]);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? startConversation(db, a.userId, b.userId) : startConversation(db, b.userId, a.userId))),
    );
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await listConversations(db, a.userId)).map((c) => c.id)).toEqual([results[0]!.conversation.id]);
    expect((await listConversations(db, b.userId)).map((c) => c.id)).toEqual([results[0]!.conversation.id]);
  });

  it("are listed by last activity, and their history pages like a channel's", async () => {
    const [me, x, y] = await Promise.all([insertUser(db), insertUser(db), insertUser(db)]);
    const withX = (await startConversation(db, me.userId, x.userId)).conversation.id;
    const withY = (await startConversation(db, me.userId, y.userId)).conversation.id;
    expect((await listConversations(db, me.userId)).map((c) => c.id)).toEqual([withY, withX]);
    const sent: string[] = [];
    for (let i = 0; i < 4; i++) sent.push((await sendMessage(stores(db), dm, { conversationId: withX }, { userId: i % 2 ? x.userId : me.userId, content: `d${i}` })).message.id);
    expect((await listConversations(db, me.userId)).map((c) => c.id)).toEqual([withX, withY]);
    const page = (w: { before?: string; after?: string }) =>
      listMessages(stores(db), dm, { conversationId: withX }, { userId: me.userId, limit: 2, ...w }).then((p) => p.map((m) => m.content));
    expect(await page({})).toEqual(["d2", "d3"]);
    expect(await page({ before: sent[2] })).toEqual(["d0", "d1"]);
    expect(await page({ after: sent[0] })).toEqual(["d1", "d2"]);
  });

  it("do not exist for anyone but their two participants", async () => {
    const [a, b, c] = await Promise.all([insertUser(db), insertUser(db), insertUser(db)]);
    const { conversation } = await startConversation(db, a.userId, b.userId);
    await expect(listMessages(stores(db), dm, { conversationId: conversation.id }, { userId: c.userId, limit: 10 })).rejects.toMatchObject({ code: "not_found" });
    await expect(sendMessage(stores(db), dm, { conversationId: conversation.id }, { userId: c.userId, content: "hi" })).rejects.toMatchObject({ code: "not_found" });
  });
});
