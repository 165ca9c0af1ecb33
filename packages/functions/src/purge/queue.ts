/**
 * Where a retired server's purge is handed over (core/servers/deletion.ts): deployed, an SQS
 * queue whose consumer Lambda runs the slices (infra/purge.ts); under `npm start` and in tests,
 * the in-process worker of packages/local, running the same `runPurgeSlice`.
 */
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { Stores } from "@agorusta/core/attachments";
import { purgeServer, PURGE_SLICE } from "@agorusta/core/servers";

export interface PurgeQueue {
  /** Asks for the server's purge; resolves once the request is durable (sent, or queued in-process). */
  enqueue(serverId: string): Promise<void>;
}

/** No worker: the purge job stays in the table, found by the next worker that resumes pending purges. */
export const unattendedPurges: PurgeQueue = {
  enqueue: async (serverId) => console.warn(`purge: no queue configured; server ${serverId} stays pending`),
};

/** One SQS message per slice to run; the consumer sends the next one while there is more. */
export function sqsPurgeQueue(queueUrl: string, client = new SQSClient({})): PurgeQueue {
  return {
    async enqueue(serverId) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ serverId }) }));
    },
  };
}

/** The body of a purge message, or null for one that is not (logged and dropped, never retried). */
export function purgeRequest(body: string): string | null {
  try {
    const { serverId } = JSON.parse(body) as { serverId?: unknown };
    return typeof serverId === "string" && serverId ? serverId : null;
  } catch {
    return null;
  }
}

/**
 * Runs one bounded slice of the purge and, if there is more, asks for the next through the
 * queue (so no invocation outlives its timeout, however large the server). A throw leaves the
 * request to the queue's retries; slices are idempotent, so a retry redoes nothing harmful.
 */
export async function runPurgeSlice(stores: Stores, queue: PurgeQueue, serverId: string, budget = PURGE_SLICE): Promise<boolean> {
  const { done } = await purgeServer(stores, serverId, budget);
  if (!done) await queue.enqueue(serverId);
  return done;
}
