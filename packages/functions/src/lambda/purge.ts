/**
 * The consumer of the purge queue (infra/purge.ts): one slice per message, failures reported per
 * message so SQS retries only those (and, after its retries, moves them to the dead-letter queue).
 */
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { createFileStore, localS3Config } from "@agorusta/core/attachments";
import { loadDeps, readConfig } from "../config.ts";
import { purgeRequest, runPurgeSlice } from "../purge/queue.ts";

// A deleted server's attachments and icons go too: the bucket is linked to this Lambda (infra/functions.ts).
const openFiles = (bucket: string, s3Endpoint: string | undefined) =>
  createFileStore({ bucket, config: s3Endpoint ? localS3Config(s3Endpoint) : {} });
const deps = loadDeps("purge", readConfig(), openFiles);

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
