/**
 * Indexing the messages that were stored before the index (or while no indexer ran): every
 * message item, read by a Scan of the table (off any request path, and the only read that lists
 * every server's channels and every DM: no index lists them all), page by page, each page's
 * messages fed to the indexer, its position kept in the table after each page, so a backfill
 * stopped half-way resumes there. Locally it runs at start until its marker says done; deployed,
 * `npm run search:backfill -- --stage NAME` runs it (docs/search.md).
 *
 * Racing the stream is harmless: postings are put whole, and a search checks each candidate
 * against the message as it is now, so a posting of an old version finds nothing wrong.
 */
import { ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Db } from "../model/index.ts";
import { nowIso } from "../store/time.ts";
import { applyChange, scopeReader } from "./indexer.ts";

/**
 * The backfill's marker, named for the index's version: a change of what a message is posted
 * under (v2: three-letter prefix terms) backfills again, at the next local start or by the
 * deployed command, without deleting anything by hand.
 */
export const BACKFILL = "backfill#2";

export interface BackfillProgress {
  messages: number;
  done: boolean;
}

/**
 * Runs (or resumes) the backfill until done, or until `shouldStop` says so between pages.
 * `scanner` is a plain document client of its own: the app's client refuses every Scan
 * (store/client.ts), which is right for every request path and this is none.
 */
export async function backfill(db: Db, scanner: DynamoDBDocumentClient, tableName: string, options: { pageSize?: number; shouldStop?: () => boolean } = {}): Promise<BackfillProgress> {
  const progress = db.entities.searchProgress;
  const marker = (await progress.get({ name: BACKFILL }).go({ consistent: true })).data;
  if (marker?.done) return { messages: 0, done: true };
  let start: Record<string, unknown> | undefined = marker?.position ? JSON.parse(marker.position) : undefined;
  const scopes = scopeReader(db);
  let messages = 0;
  do {
    if (options.shouldStop?.()) return { messages, done: false };
    const page = await scanner.send(
      new ScanCommand({
        TableName: tableName,
        ExclusiveStartKey: start,
        Limit: options.pageSize ?? 500,
        FilterExpression: "#e IN (:m, :d)",
        ExpressionAttributeNames: { "#e": "__edb_e__" },
        ExpressionAttributeValues: { ":m": "message", ":d": "dmMessage" },
      }),
    );
    for (const item of page.Items ?? []) await applyChange(db, null, item, scopes);
    messages += page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
    await progress.put({ name: BACKFILL, position: start ? JSON.stringify(start) : undefined, done: !start, updatedAt: nowIso(db.clock) }).go();
  } while (start);
  return { messages, done: true };
}
