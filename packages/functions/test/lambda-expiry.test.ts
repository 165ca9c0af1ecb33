/**
 * The connection-expiry queue's consumer Lambda as SQS calls it (infra/realtime.ts): SQS events
 * in, partial batch responses out, over DynamoDB Local; the close goes out through `@connections`,
 * here a recorder standing in for API Gateway's management API, reached by the real SDK client.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createDb, type Db } from "@agorusta/core";
import { fakeConnectionsApi } from "@agorusta/testing/connectionsApi";
import { lambdaEnvironment } from "./fixtures/lambda.ts";

/** A stand-in for `@connections`: what reached it, in order (the method, the connection, the frame posted). */
const api = fakeConnectionsApi();
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let db: Db;

beforeAll(async () => {
  const endpoint = await api.listen("$default");
  const { tableName, dynamo } = await lambdaEnvironment();
  vi.stubEnv("WS_MANAGEMENT_ENDPOINT", endpoint);
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEEXAMPLE00");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "example-secret-access-key");
  db = createDb(dynamo.document, tableName);
  ({ handler } = await import("../src/lambda/expiry.ts"));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await api.close();
});

const sqsEvent = (...bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m-${i}`, body, eventSource: "aws:sqs" })) }) as unknown as SQSEvent;

describe("the expiry Lambda behind the queue", () => {
  it("closes a connection whose token has expired, error frame first; drops a message that names none; reports no failure", async () => {
    const now = Math.floor(Date.now() / 1000);
    await db.entities.connections
      .put({ connectionId: "expired+one=", userId: "u1", connectedAt: new Date().toISOString(), sessionId: "s1", sessionExpiresAt: now - 1, ttl: now + 7800 })
      .go();
    const result = await handler(sqsEvent(JSON.stringify({ connectionId: "expired+one=", expiresAt: now - 1 }), "not json", JSON.stringify({ connectionId: "gone=", expiresAt: now - 1 })));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(api.calls.map(({ method, connectionId, body }) => ({ method, connectionId, ...(body ? { frame: JSON.parse(body) } : {}) }))).toEqual([
      { method: "POST", connectionId: "expired+one=", frame: { type: "error", code: "unauthorized", message: "Your session has ended. Sign in again." } },
      { method: "DELETE", connectionId: "expired+one=" },
    ]);
  });
});
