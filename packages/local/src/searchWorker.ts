/**
 * The local stand-in for the search indexer's stream subscription (infra/search.ts): reads the
 * table's stream from DynamoDB Local in this process and applies its records with the very code
 * the Lambda runs (core search/stream.ts). Each shard's last applied sequence number is kept in
 * the table (`searchProgress` items), so a restart resumes where the last run stopped and no
 * message is left unindexed; a shard not yet seen is read from its oldest record. At start, the
 * backfill indexes what was stored before search existed (core search/backfill.ts), once.
 */
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type Shard,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { Db, DynamoClients } from "@agorusta/core";
import { applyRecords, backfill, type StreamImages } from "@agorusta/core/search";
import { nowIso } from "@agorusta/core/store";

export interface SearchWorker {
  /** Resolves once every record written before the call has been applied (tests wait on it). */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

export interface SearchWorkerOptions {
  db: Db;
  dynamo: DynamoClients;
  dynamoConfig: DynamoDBClientConfig;
  tableName: string;
  /** How long to wait when the stream has nothing new; doubled while it stays quiet, up to `maxIdleMs`. */
  idleMs?: number;
  maxIdleMs?: number;
}

/** The stream's shards are listed again at least this often (besides whenever one closes). */
const RELIST_MS = 60_000;

const shardName = (shardId: string) => `stream#${shardId}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref?.());

export function startSearchWorker(options: SearchWorkerOptions): SearchWorker {
  const { db, tableName } = options;
  const streams = new DynamoDBStreamsClient(options.dynamoConfig);
  const scanner = DynamoDBDocumentClient.from(new DynamoDBClient(options.dynamoConfig));
  const idleMs = options.idleMs ?? 200;
  const maxIdleMs = Math.max(idleMs, options.maxIdleMs ?? 1000);
  let stopped = false;
  /** Rounds of reading every shard to its end: `caughtUp` waits for one that started after it was called. */
  let round = 0;
  const waiters: { after: number; resolve: () => void }[] = [];

  async function streamArn(): Promise<string> {
    const { Table } = await options.dynamo.raw.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn) throw new Error(`search: table ${tableName} has no stream`);
    return Table.LatestStreamArn;
  }

  async function shards(arn: string): Promise<Shard[]> {
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: arn, ExclusiveStartShardId: start }));
      all.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return all;
  }

  /** Each shard's iterator, kept between rounds: what is past it but not saved is only records of no message. */
  const iterators = new Map<string, string>();
  /** Shards read to their end: closed, nothing more will come. */
  const finished = new Set<string>();

  /**
   * Reads one shard from where it stopped to its current end; says how many records it read and
   * whether the shard has closed (its children are then to be listed). The position is saved only
   * after records of messages were applied: saving it is itself a write to the table, whose
   * stream record would otherwise keep the reader busy with its own writes.
   */
  async function readShard(arn: string, shard: Shard): Promise<{ read: number; closed: boolean }> {
    const shardId = shard.ShardId!;
    const name = shardName(shardId);
    let iterator = iterators.get(shardId);
    let read = 0;
    if (finished.has(shardId)) return { read, closed: true };
    if (!iterator) {
      const saved = (await db.entities.searchProgress.get({ name }).go({ consistent: true })).data;
      if (saved?.done) {
        finished.add(shardId);
        return { read, closed: true };
      }
      iterator = (
        await streams.send(
          new GetShardIteratorCommand(
            saved?.position
              ? { StreamArn: arn, ShardId: shardId, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: saved.position }
              : { StreamArn: arn, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" },
          ),
        )
      ).ShardIterator;
    }
    while (iterator && !stopped) {
      let page;
      try {
        page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      } catch (e) {
        // An iterator kept too long: the next round starts again from the saved position.
        iterators.delete(shardId);
        throw e;
      }
      const records = page.Records ?? [];
      read += records.length;
      const applied = records.length ? await applyRecords(db, records.map((r) => (r.dynamodb ?? {}) as StreamImages)) : 0;
      iterator = page.NextShardIterator;
      if (iterator) iterators.set(shardId, iterator);
      else iterators.delete(shardId);
      // Saved after the records are applied: a crash in between applies them again, harmlessly.
      if (applied || !iterator) {
        await db.entities.searchProgress.put({ name, position: records.at(-1)?.dynamodb?.SequenceNumber, done: !iterator, updatedAt: nowIso(db.clock) }).go();
      }
      if (!records.length) break;
    }
    if (!iterator) finished.add(shardId);
    return { read, closed: !iterator };
  }

  async function loop(): Promise<void> {
    try {
      await backfill(db, scanner, tableName, { shouldStop: () => stopped });
    } catch (e) {
      console.error("search: the backfill failed; it resumes at the next start:", e);
    }
    // After a failure (DynamoDB Local restarting), wait longer each time, up to 5 s, and say so once.
    let failures = 0;
    // Listing the shards is DynamoDB Local's costliest stream call: done at start, when a shard
    // closes (its children hold what comes next), after a failure, and once a minute.
    let listed: { arn: string; shards: Shard[]; at: number } | null = null;
    let quiet = idleMs;
    while (!stopped) {
      const started = ++round;
      try {
        if (!listed || Date.now() - listed.at > RELIST_MS) {
          const arn = await streamArn();
          // Parents first: a child shard's records come after its parent's.
          const all = (await shards(arn)).sort((a, b) => (a.SequenceNumberRange?.StartingSequenceNumber ?? "").localeCompare(b.SequenceNumberRange?.StartingSequenceNumber ?? "", undefined, { numeric: true }));
          listed = { arn, shards: all, at: Date.now() };
        }
        let read = 0;
        let closedNow = false;
        for (const shard of listed.shards) {
          if (stopped) break;
          const wasOpen = !finished.has(shard.ShardId!);
          const result = await readShard(listed.arn, shard);
          read += result.read;
          closedNow ||= wasOpen && result.closed;
        }
        if (closedNow) {
          // A shard closed since it was listed: its children hold what came after. They are read
          // at once, and only then has this round read everything written before it.
          listed = null;
          continue;
        }
        // Quiet rounds come further apart (an idle `npm start` costs little); a record brings them back.
        quiet = read ? idleMs : Math.min(maxIdleMs, quiet * 2);
        for (const w of waiters.filter((w) => w.after < started)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
        if (failures) console.error("search: reading the stream again");
        failures = 0;
      } catch (e) {
        listed = null;
        if (!failures++ && !(e instanceof ExpiredIteratorException || e instanceof TrimmedDataAccessException)) console.error("search: reading the stream failed; retrying:", e);
      }
      await sleep(failures ? Math.min(5000, idleMs * 2 ** failures) : quiet);
    }
  }

  const running = loop();
  return {
    caughtUp: () => new Promise<void>((resolve) => waiters.push({ after: round, resolve })),
    async close() {
      stopped = true;
      await running;
      for (const w of waiters.splice(0)) w.resolve();
      streams.destroy();
      scanner.destroy();
    },
  };
}
