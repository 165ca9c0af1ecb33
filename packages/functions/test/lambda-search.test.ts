/**
 * The search indexer's Lambda (infra/search.ts) as DynamoDB Streams invokes it: a
 * `DynamoDBStreamEvent` of INSERT, MODIFY and REMOVE records, their images in DynamoDB JSON as
 * the table stores them (read back raw here, key attributes and ElectroDB's own included), over
 * DynamoDB Local. The table has no stream: the test hands the handler its events itself.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { createDb, type Db } from "@agorusta/core";
import { register } from "@agorusta/core/accounts";
import { startConversation } from "@agorusta/core/dms";
import { unlinkedFileStore } from "@agorusta/core/attachments";
import { channel, deleteMessage, dm, editMessage, sendMessage } from "@agorusta/core/conversations";
import { createServer } from "@agorusta/core/servers";
import { searchDmMessages, searchServerMessages } from "@agorusta/core/search";
import { lambdaEnvironment } from "./fixtures/lambda.ts";

let handler: (event: DynamoDBStreamEvent) => Promise<unknown>;
let db: Db;
let tableName: string;
beforeAll(async () => {
  const env = await lambdaEnvironment();
  tableName = env.tableName;
  db = createDb(env.dynamo.document, tableName);
  ({ handler } = await import("../src/lambda/searchIndex.ts"));
});
afterAll(() => vi.unstubAllEnvs());

const stores = () => ({ db, files: unlinkedFileStore });
const person = async (name: string) =>
  (await register(db, { email: `${name}${Date.now()}@example.com`, username: `${name}${Date.now().toString(36)}`, password: "correct horse battery" })).user;

/** An item as the table holds it (DynamoDB JSON), as a stream record's image carries it; undefined once deleted. */
async function stored(get: { go(options: { data: "raw" }): Promise<{ data: unknown }> }): Promise<Record<string, AttributeValue> | undefined> {
  const raw = (await get.go({ data: "raw" })).data as { Item?: Record<string, unknown> };
  return raw.Item ? marshall(raw.Item) : undefined;
}

let sequence = 100;
/** One stream record, shaped as Lambda delivers it for a NEW_AND_OLD_IMAGES stream. */
function record(eventName: "INSERT" | "MODIFY" | "REMOVE", oldImage: Record<string, AttributeValue> | undefined, newImage: Record<string, AttributeValue> | undefined): DynamoDBRecord {
  const image = (newImage ?? oldImage)!;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "eu-west-1",
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: { pk: image.pk!, sk: image.sk! },
      ...(newImage ? { NewImage: newImage } : {}),
      ...(oldImage ? { OldImage: oldImage } : {}),
      SequenceNumber: String(sequence++).padStart(21, "0"),
      SizeBytes: 512,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    eventSourceARN: `arn:aws:dynamodb:eu-west-1:123456789012:table/${tableName}/stream/2026-12-07T00:00:00.000`,
  } as DynamoDBRecord;
}
const streamEvent = (...Records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records });

describe("the search indexer Lambda behind the table's stream", () => {
  it("indexes a DM message on INSERT, follows its edit on MODIFY and forgets it on REMOVE, skipping other items", async () => {
    const [alice, bob] = await Promise.all([person("alice"), person("bob")]);
    const { conversation } = await startConversation(db, alice.userId, bob.userId);
    const ref = { conversationId: conversation.id };
    const item = db.entities.dmMessages;
    const search = (who: string, q: string) => searchDmMessages(stores(), who, { q, limit: 25 }).then((page) => page.messages.map((m) => m.id));

    const sent = await sendMessage(stores(), dm, ref, { userId: alice.userId, content: "the quarterly zebrafish report" });
    const key = { conversationId: conversation.id, messageId: sent.message.id };
    const first = await stored(item.get(key));
    expect(await search(bob.userId, "zebrafish")).toEqual([]);
    // A user item's change rides in the same batch: the Lambda's filter lets only messages through deployed, the handler skips others anyway.
    const user = await stored(db.entities.users.get({ userId: alice.userId }));
    await handler(streamEvent(record("MODIFY", user, user), record("INSERT", undefined, first)));
    expect(await search(bob.userId, "zebrafish")).toEqual([sent.message.id]);
    expect(await search(alice.userId, "quarter")).toEqual([sent.message.id]);

    await editMessage(stores(), dm, ref, { messageId: sent.message.id, userId: alice.userId, content: "the yearly axolotl report" });
    const edited = await stored(item.get(key));
    await handler(streamEvent(record("MODIFY", first, edited)));
    expect(await search(bob.userId, "zebrafish")).toEqual([]);
    expect(await search(bob.userId, "axolotl")).toEqual([sent.message.id]);
    // The same record delivered again (Lambda retries a failed batch from its first record): the same postings.
    await handler(streamEvent(record("MODIFY", first, edited)));
    expect(await search(bob.userId, "axolotl")).toEqual([sent.message.id]);

    await deleteMessage(stores(), dm, ref, { messageId: sent.message.id, userId: alice.userId });
    expect(await stored(item.get(key))).toBeUndefined();
    await handler(streamEvent(record("REMOVE", edited, undefined)));
    expect(await search(bob.userId, "axolotl")).toEqual([]);
    expect(await search(bob.userId, "report")).toEqual([]);
    // Nothing of the message is left in the index: not even under its author's filter term.
    expect((await searchDmMessages(stores(), bob.userId, { authorId: alice.userId, limit: 25 })).messages).toEqual([]);
  });

  it("indexes a channel message under its server", async () => {
    const owner = await person("owner");
    const server = await createServer(db, owner, `search lambda ${Date.now()}`);
    const [general] = (await db.entities.channels.query.byServer({ serverId: server.id }).go()).data;
    const ref = { serverId: server.id, channelId: general!.channelId };
    const sent = await sendMessage(stores(), channel, ref, { userId: owner.userId, content: "see permissions.pdf before Friday" });
    await handler(streamEvent(record("INSERT", undefined, await stored(db.entities.messages.get({ channelId: ref.channelId, messageId: sent.message.id })))));
    const found = await searchServerMessages(stores(), owner.userId, server.id, { q: "permissions.pdf", limit: 25 });
    expect(found.messages.map((m) => [m.id, m.content])).toEqual([[sent.message.id, "see permissions.pdf before Friday"]]);
    expect((await searchServerMessages(stores(), owner.userId, server.id, { q: "perm", limit: 25 })).messages.map((m) => m.id)).toEqual([sent.message.id]);
  });
});
