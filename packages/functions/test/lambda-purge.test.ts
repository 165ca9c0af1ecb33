/**
 * The purge queue's consumer Lambda as SQS calls it (infra/purge.ts): SQS events in, partial
 * batch responses out, over DynamoDB Local.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createDb, type Db } from "@agorusta/core";
import { createServer, pendingPurges, retireServer } from "@agorusta/core/servers";
import { register } from "@agorusta/core/accounts";
import { lambdaEnvironment } from "./fixtures/lambda.ts";
import { freshFiles } from "@agorusta/testing";

let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let db: Db;
beforeAll(async () => {
  const { dynamo, tableName } = await lambdaEnvironment();
  // Linked to the files bucket, as deployed: a deleted server's attachments and icons go too.
  const files = await freshFiles();
  vi.stubEnv("BUCKET_NAME", files.bucket);
  vi.stubEnv("S3_ENDPOINT", inject("s3Endpoint"));
  // The store accepts only its own credentials (issue 21); a Lambda reads them from the SDK's usual environment.
  vi.stubEnv("AWS_ACCESS_KEY_ID", inject("s3Credentials").accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", inject("s3Credentials").secretAccessKey);
  db = createDb(dynamo.document, tableName);
  ({ handler } = await import("../src/lambda/purge.ts"));
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const sqsEvent = (...bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m-${i}`, body, eventSource: "aws:sqs" })) }) as unknown as SQSEvent;

describe("the purge Lambda behind the queue", () => {
  it("purges a retired server and reports no failure; drops a message that names no server", async () => {
    const { user: owner } = await register(db, { email: `o${Date.now()}@example.com`, username: `o${Date.now().toString(36)}`, password: "correct horse battery" });
    const server = await createServer(db, owner, `purged ${Date.now()}`);
    await retireServer(db, server.id, owner.userId);
    expect(await pendingPurges(db)).toEqual([server.id]);
    const result = await handler(sqsEvent(JSON.stringify({ serverId: server.id }), "not json", JSON.stringify({ serverId: 42 })));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await pendingPurges(db)).toEqual([]);
    expect((await db.collections.serverDetail({ serverId: server.id }).go()).data).toEqual({ servers: [], serverRoles: [], channels: [] });
  });
});
