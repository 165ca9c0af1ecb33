/**
 * The consumer of the purge queue (infra/purge.ts): one slice per message, failures reported per
 * message so SQS retries only those (and, after its retries, moves them to the dead-letter queue).
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { loadDeps } from "../config.ts";
import { purgeRequest, runPurgeSlice } from "../purge/queue.ts";

const deps = loadDeps();

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
  for (const record of event.Records) {
    const serverId = purgeRequest(record.body);
    if (!serverId) {
      console.error(`purge: dropping a message that names no server: ${record.body.slice(0, 200)}`);
      continue;
    }
    try {
      await runPurgeSlice(deps, deps.purges, serverId);
    } catch (e) {
      console.error(`purge: server ${serverId} failed (SQS retries it):`, e);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
