/**
 * The search indexer (infra/search.ts): the table's stream records of messages, applied in order
 * (core search/stream.ts). A failure fails the batch, which Lambda retries from its first record:
 * applying a record again leaves the same postings.
 */
import type { DynamoDBStreamEvent } from "aws-lambda";
import { applyRecords, type StreamImages } from "@agorusta/core/search";
import { loadDeps, readConfig } from "../config.ts";

const deps = loadDeps("searchIndex", readConfig());

export async function handler(event: DynamoDBStreamEvent): Promise<void> {
  // Lambda's event types the attribute values loosely; they are DynamoDB's own AttributeValues.
  await applyRecords(deps.db, event.Records.map((r) => (r.dynamodb ?? {}) as StreamImages));
}
