/**
 * The local stand-in for the purge queue and its consumer (infra/purge.ts): deleted servers (and
 * deleted channels, their jobs named `channel/<id>`) are purged in this process, slice by slice through the very `runPurgeSlice` the Lambda runs, one
 * server at a time, each failure retried with backoff as SQS would. The queue is only memory:
 * what survives a restart is the purge jobs in the table, which `resume()` finds with a Query.
 */
import type { Stores } from "@agorusta/core/attachments";
import { pendingChannelPurges, pendingPurges, PURGE_SLICE } from "@agorusta/core/servers";
import { runPurgeSlice, type PurgeQueue } from "@agorusta/functions/purge/queue";

export interface PurgeWorkerOptions {
  /** Items per slice (tests make it small to stop a purge midway). */
  slice?: number;
  /** Waits before each retry of a failed slice; after the last, the purge waits for the next `resume()`. */
  retryDelaysMs?: number[];
  /** Runs before each slice: tests hold a purge back, or make a slice fail. */
  beforeSlice?: (serverId: string) => Promise<void> | void;
}

export interface PurgeWorker extends PurgeQueue {
  /** Queues every purge left unfinished in the table (after a restart). */
  resume(): Promise<void>;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
  /** Stops after the slice in progress; what is left stays in the table for `resume()`. */
  close(): Promise<void>;
}

export function createPurgeWorker(stores: Stores, options: PurgeWorkerOptions = {}): PurgeWorker {
  const { slice = PURGE_SLICE, retryDelaysMs = [200, 1000, 5000, 20_000] } = options;
  const queued: string[] = [];
  let running: Promise<void> | null = null;
  let stopped = false;

  async function purge(serverId: string): Promise<void> {
    for (let failures = 0; !stopped; ) {
      try {
        await options.beforeSlice?.(serverId);
        if (stopped) return;
        // Re-queued at the back when there is more, so one big server does not hold up the others.
        await runPurgeSlice(stores, worker, serverId, slice);
        return;
      } catch (e) {
        const delay = retryDelaysMs[failures++];
        if (delay === undefined) {
          console.error(`purge: server ${serverId} failed ${failures} times; it stays pending until the next start:`, e);
          return;
        }
        console.warn(`purge: server ${serverId} failed, retrying in ${delay} ms:`, e);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async function drain() {
    while (queued.length && !stopped) await purge(queued.shift()!);
  }

  const worker: PurgeWorker = {
    async enqueue(serverId) {
      if (stopped || queued.includes(serverId)) return;
      queued.push(serverId);
      running ??= drain().finally(() => (running = null));
    },
    async resume() {
      // Deleted servers, then deleted channels (each job named as the queue names it).
      for (const job of [...(await pendingPurges(stores.db)), ...(await pendingChannelPurges(stores.db))]) await worker.enqueue(job);
    },
    async idle() {
      while (running) await running;
    },
    async close() {
      stopped = true;
      await running;
    },
  };
  return worker;
}
