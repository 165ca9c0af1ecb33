/**
 * The local stand-in for the push queue and its consumer (infra/push.ts): each new message's
 * push is decided and sent in this process by the very `deliverPush` the Lambda runs, started at
 * once and not awaited by the send (which, as deployed, never waits for a push service). Only
 * memory: a message queued as the process stops is not pushed.
 */
import type { Db } from "@agorusta/core";
import { deliverPush } from "@agorusta/functions/push/deliver";
import type { PushQueue } from "@agorusta/functions/push/queue";
import type { PushSender } from "@agorusta/functions/push/transport";

export interface PushWorker extends PushQueue {
  /** Resolves once every push queued so far is done (tests, a clean shutdown). */
  idle(): Promise<void>;
}

export function createPushWorker(deps: { db: Db; sender: PushSender }): PushWorker {
  const running = new Set<Promise<unknown>>();
  return {
    async enqueue(job) {
      const run = deliverPush(deps, job)
        .catch((e: unknown) => console.error(`push: message ${job.messageId} not pushed:`, e))
        .finally(() => running.delete(run));
      running.add(run);
    },
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
