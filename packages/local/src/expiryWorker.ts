/**
 * The local stand-in for the connection-expiry queue and its consumer (infra/realtime.ts): each
 * request waits in this process as an SQS message waits out its delay (at most 15 minutes a hop,
 * as SQS allows), then runs the very `closeIfExpired` the Lambda runs. Only memory: a restart
 * closes every socket anyway.
 */
import type { Db, Publisher } from "@agorusta/core";
import { closeIfExpired, delayFor, type ExpiryQueue } from "@agorusta/functions/delivery/connectionExpiry";

export interface ExpiryWorker extends ExpiryQueue {
  /** Drops what is waiting; a run in progress finishes. */
  close(): Promise<void>;
}

export function createExpiryWorker(deps: { db: Db; publisher: Publisher }): ExpiryWorker {
  const waiting = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;
  const worker: ExpiryWorker = {
    async schedule(request) {
      if (stopped) return;
      const timer = setTimeout(() => {
        waiting.delete(timer);
        const run = closeIfExpired(deps, worker, request)
          .catch((e: unknown) => console.error(`expiry: connection ${request.connectionId} not closed:`, e))
          .finally(() => running.delete(run));
        running.add(run);
      }, delayFor(request, deps.db.clock.now()) * 1000);
      // A socket's close is no reason to keep the process alive.
      timer.unref();
      waiting.add(timer);
    },
    async close() {
      stopped = true;
      for (const timer of waiting) clearTimeout(timer);
      waiting.clear();
      await Promise.all(running);
    },
  };
  return worker;
}
