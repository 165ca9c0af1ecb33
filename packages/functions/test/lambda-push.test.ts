/**
 * The push queue's consumer Lambda as SQS calls it (infra/push.ts): SQS events in, partial batch
 * responses out, over DynamoDB Local, configured as deployed (the stage's VAPID key from its
 * secret, public endpoints only). A subscription stored with a loopback endpoint (as if the
 * registration check had been passed around) is refused at send time and removed, never posted to.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createDb, type Db } from "@agorusta/core";
import { register } from "@agorusta/core/accounts";
import { startConversation } from "@agorusta/core/dms";
import { unlinkedFileStore } from "@agorusta/core/attachments";
import { sendMessage, dm } from "@agorusta/core/conversations";
import { endpointHashOf, pushSubscriptionsOf } from "@agorusta/core/notifications";
import { lambdaEnvironment } from "./fixtures/lambda.ts";
import { newVapidPrivateKey } from "../src/push/setup.ts";
import { startPushService } from "./fixtures/push/pushService.ts";

let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let db: Db;
let service: Awaited<ReturnType<typeof startPushService>>;
beforeAll(async () => {
  const { dynamo, tableName } = await lambdaEnvironment();
  vi.stubEnv("VAPID_PRIVATE_KEY", newVapidPrivateKey());
  db = createDb(dynamo.document, tableName);
  service = await startPushService();
  ({ handler } = await import("../src/lambda/push.ts"));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await service.close();
});

const sqsEvent = (...bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m-${i}`, body, eventSource: "aws:sqs", receiptHandle: `r-${i}`, attributes: {}, messageAttributes: {} })) }) as unknown as SQSEvent;

const person = (name: string) =>
  register(db, { email: `${name}${Date.now()}@example.com`, username: `${name}${Date.now().toString(36)}`, password: "correct horse battery" });

describe("the push Lambda behind the queue", () => {
  it("decides and sends each named message's pushes, refuses loopback endpoints deployed, and drops what names no message", async () => {
    const [{ user: alice }, { user: bob }] = await Promise.all([person("alice"), person("bob")]);
    const { conversation } = await startConversation(db, alice.userId, bob.userId);
    // Stored as a registration would, with an endpoint only `npm start` may post to.
    const local = service.subscription("lambda-bob");
    await db.entities.pushSubscriptions
      .create({ userId: bob.userId, endpointHash: endpointHashOf(local.endpoint), endpoint: local.endpoint, ...local.keys, sessionId: "s", createdAt: new Date().toISOString() })
      .go();
    await db.entities.users.patch({ userId: bob.userId }).set({ pushSubscriptionCount: 1 }).go();
    const sent = await sendMessage({ db, files: unlinkedFileStore }, dm, { conversationId: conversation.id }, { userId: alice.userId, content: "hi" });

    const job = { kind: "dm", conversationId: conversation.id, messageId: sent.message.id };
    const result = await handler(sqsEvent(JSON.stringify(job), "not json", JSON.stringify({ kind: "dm", conversationId: "x", messageId: 1 })));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(service.received).toEqual([]);
    expect(await pushSubscriptionsOf(db, bob.userId)).toEqual([]);
    expect((await db.entities.users.get({ userId: bob.userId }).go()).data?.pushSubscriptionCount).toBe(0);
  });
});
