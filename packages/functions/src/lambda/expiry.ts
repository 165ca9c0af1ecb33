/**
 * The connection-expiry queue's consumer (infra/realtime.ts): each message names a WebSocket to
 * close at its token's expiry (delivery/connectionExpiry.ts). Failures are reported per message,
 * so SQS retries only those.
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { loadDeps } from "../config.ts";
import { closeIfExpired, expiryRequest } from "../delivery/connectionExpiry.ts";

// Built during the Lambda's init phase, once per instance.
const deps = loadDeps("expiry");

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      const request = expiryRequest(record.body);
      if (!request) return console.error(`expiry: dropping a message that names no connection: ${record.body.slice(0, 200)}`);
      try {
        await closeIfExpired(deps, deps.expiries, request);
      } catch (e) {
        console.error(`expiry: connection ${request.connectionId} failed (SQS retries it):`, e);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures };
}
