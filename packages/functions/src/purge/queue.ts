/**
 * Where a retired server's purge, or a deleted channel's, is handed over (core/servers/deletion.ts,
 * channelDeletion.ts): deployed, an SQS queue whose consumer Lambda runs the slices
 * (infra/purge.ts); under `npm start` and in tests, the in-process worker of packages/local,
 * running the same `runPurgeSlice`. A job is named by the server's id, or `channel/<channelId>`.
 */
import type { Stores } from "@agorusta/core/attachments";
import { channelPurgeJob, purgeJob, PURGE_SLICE } from "@agorusta/core/servers";
import { isId } from "@agorusta/core/schemas";

export interface PurgeQueue {
  /** Asks for a purge (a server's id, or `channelPurgeJob(channelId)`); resolves once the request is durable (sent, or queued in-process). */
  enqueue(job: string): Promise<void>;
}

/** No worker: the purge job stays in the table, found by the next worker that resumes pending purges. */
export const unattendedPurges: PurgeQueue = {
  enqueue: async (job) => console.warn(`purge: no queue configured; ${job} stays pending`),
};

/** The job a purge message names (`{serverId}` or `{channelId}`), or null for one that is not (logged and dropped, never retried). */
export function purgeRequest(body: string): string | null {
  try {
    const { serverId, channelId } = JSON.parse(body) as { serverId?: unknown; channelId?: unknown };
    if (isId(channelId)) return channelPurgeJob(channelId);
    return typeof serverId === "string" && serverId && !serverId.includes("/") ? serverId : null;
  } catch {
    return null;
  }
}

/**
 * Runs one bounded slice of the purge and, if there is more, asks for the next through the
 * queue (so no invocation outlives its timeout, however large the server). A throw leaves the
 * request to the queue's retries; slices are idempotent, so a retry redoes nothing harmful.
 */
export async function runPurgeSlice(stores: Stores, queue: PurgeQueue, job: string, budget = PURGE_SLICE): Promise<boolean> {
  const { done } = await purgeJob(stores, job, budget);
  if (!done) await queue.enqueue(job);
  return done;
}
