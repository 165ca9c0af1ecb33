/**
 * A history page holds `limit` messages whenever that many exist (api.md "Sessions and safety"),
 * though one DynamoDB Query stops at 1 MB: the premise is checked first, so this fails if the
 * history read ever goes back to a single Query.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { freshDb, insertUser, stores, uniqueName } from "./harness.ts";
import type { Db } from "../src/model/index.ts";
import { newId } from "../src/store/ids.ts";
import { listMessages } from "../src/conversations/pages.ts";
import { channel } from "../src/conversations/kinds/channel.ts";
import { createServer, getServerDetail } from "../src/servers/server.ts";

let db: Db;
beforeAll(async () => {
  ({ db } = await freshDb());
});

describe("history pages of large messages", () => {
  it("hold 100 messages of ~16 KiB (1.6 MB) where one Query returns fewer", async () => {
    const owner = await insertUser(db);
    const server = await createServer(db, owner, uniqueName("History "));
    const channelId = (await getServerDetail(db, server.id, owner.userId)).channels[0]!.id;
    const items = Array.from({ length: 100 }, (_, i) => ({
      channelId, serverId: server.id, messageId: newId(), authorId: "a", authorUsername: "a", authorCreatedAt: "2026-01-01T00:00:00.000Z",
      content: `${i} ${"😀".repeat(4000)}`, createdAt: "2026-01-01T00:00:00.000Z",
    }));
    expect((await db.entities.messages.put(items).go()).unprocessed).toEqual([]);
    items.sort((a, b) => (a.messageId < b.messageId ? -1 : 1)); // history order
    const single = await db.entities.messages.query.byChannel({ channelId }).go({ limit: 100 });
    expect(single.data.length).toBeLessThan(100); // the 1 MB cut this is about

    const page = await listMessages(stores(db), channel, { serverId: server.id, channelId }, { userId: owner.userId, limit: 100 });
    expect(page.map((m) => m.id)).toEqual(items.map((m) => m.messageId));
    const older = await listMessages(stores(db), channel, { serverId: server.id, channelId }, { userId: owner.userId, limit: 90, before: items[95]!.messageId });
    expect(older.map((m) => m.id)).toEqual(items.slice(5, 95).map((m) => m.messageId));
  }, 60_000);
});
