/**
 * Stream records into the indexer, in the order the stream gives them (a message's changes in
 * the order they were made): the deployed Lambda's batches and the local reader's both come here.
 */
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { Db } from "../model/index.ts";
import { applyChange, messageImage, scopeReader } from "./indexer.ts";

/** A stream record's images, as DynamoDB Streams and Lambda's event both carry them. */
export interface StreamImages {
  OldImage?: Record<string, AttributeValue> | undefined;
  NewImage?: Record<string, AttributeValue> | undefined;
}

const image = (raw: Record<string, AttributeValue> | undefined) => (raw ? unmarshall(raw) : null);

/** Applies each record of a message in turn (others are skipped); returns how many were of messages. */
export async function applyRecords(db: Db, records: readonly StreamImages[]): Promise<number> {
  const scopes = scopeReader(db);
  let applied = 0;
  for (const r of records) {
    const before = image(r.OldImage);
    const after = image(r.NewImage);
    if (!messageImage(before) && !messageImage(after)) continue;
    await applyChange(db, before, after, scopes);
    applied++;
  }
  return applied;
}
