/**
 * One channel written by writers that share nothing in-process (separate `Db`s over separate
 * clients, as Lambdas are): what a lost race costs. The writer that loses learns the head from
 * the refusal itself (ReturnValuesOnConditionCheckFailure: ALL_OLD) and builds on it without
 * reading it again (docs/decisions.md "Hot channels"). Counts, not time.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createDb, createDynamoClients, localDynamoConfig, type Db, type DynamoClients } from "../src/index.ts";
import { commitChange } from "../src/conversations/feed.ts";
import type { Head } from "../src/conversations/kind.ts";
import { sendMessage } from "../src/conversations/send.ts";
import { channel } from "../src/conversations/kinds/channel.ts";
import { addMember } from "../src/servers/joining.ts";
import { createServer } from "../src/servers/server.ts";
import { freshDb, insertUser, stores } from "./harness.ts";

let base: Awaited<ReturnType<typeof freshDb>>;
let ref: { serverId: string; channelId: string };
let members: string[];

/** Another Lambda: its own client (its own request counts) and its own `Db` over the same table. */
function lambda(): { db: Db; dynamo: DynamoClients } {
  const dynamo = createDynamoClients(localDynamoConfig(inject("dynamoEndpoint")));
  return { dynamo, db: createDb(dynamo.document, base.tableName) };
}

beforeAll(async () => {
  base = await freshDb();
  const owner = await insertUser(base.db);
  const server = await createServer(base.db, owner, "hot");
  const { data: channels } = await base.db.entities.channels.query.byServer({ serverId: server.id }).go();
  ref = { serverId: server.id, channelId: channels[0]!.channelId };
  const serverItem = (await base.db.entities.servers.get({ serverId: server.id }).go()).data!;
  members = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const user = await insertUser(base.db);
      await addMember(base.db, serverItem, user);
      return user.userId;
    }),
  );
});

const positions = async () =>
  (await base.db.entities.changes.query.byConversation({ conversationId: ref.channelId }).go({ consistent: true, attributes: ["seq"], pages: "all" })).data.map((c) => c.seq);

describe("a writer that lost a channel's race", () => {
  it("builds again on the head its refusal handed back: one more transaction, no read", async () => {
    const first = lambda();
    const late = lambda();
    const { head: before } = await channel.check(late.db, ref, members[0]!);
    const sent = await sendMessage(stores(first.db), channel, ref, { userId: members[0]!, content: "first" });
    if (!sent.created) throw new Error("no nonce was sent");

    // `late` builds its change on the head it read before `first` committed: its try must lose.
    const heads: Head[] = [];
    const counts = { ...late.dynamo.counts };
    const result = await commitChange(
      late.db,
      channel,
      ref,
      (head) => {
        heads.push(head);
        return { messageId: "no-such-message", message: { kind: "deleted" as const } };
      },
      { head: before },
    ).catch((e: unknown) => e);

    // The second try was built on the head as the refusal returned it: `first`'s message, position 1.
    expect(heads).toEqual([before, { seq: before.seq + 1, lastMessageId: sent.message.id }]);
    const spent = (op: string) => (late.dynamo.counts[op] ?? 0) - (counts[op] ?? 0);
    expect(spent("TransactWriteItems")).toBe(2);
    expect(spent("GetItem")).toBe(0);
    // The change itself named a message that does not exist: 404 once it was built on the current head.
    expect(result).toMatchObject({ code: "not_found" });
  });

  it("under independent writers sending at once, leaves positions gap-free and reads no more than it lost", async () => {
    const writers = members.map((userId) => ({ userId, ...lambda() }));
    const before = await positions();
    const counts = writers.map((w) => ({ ...w.dynamo.counts }));
    const each = 4;
    await Promise.all(
      writers.map(async (w) => {
        for (let i = 0; i < each; i++) await sendMessage(stores(w.db), channel, ref, { userId: w.userId, content: `${i}` });
      }),
    );
    const spent = (op: string) => writers.reduce((sum, w, i) => sum + (w.dynamo.counts[op] ?? 0) - (counts[i]![op] ?? 0), 0);
    const sent = writers.length * each;
    const after = await positions();
    expect(after).toEqual(Array.from({ length: before.length + sent }, (_, i) => i + 1));
    // Each lost try costs at most one read of the head (none when the refusal's head is built on at once).
    expect(spent("GetItem")).toBeLessThanOrEqual(spent("TransactWriteItems") - sent);
  });
});
