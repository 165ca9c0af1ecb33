/**
 * Fan-out past one request handler. API Gateway has no batch `PostToConnection`: every
 * recipient is one signed request, so a channel with 10,000 open connections is 10,000 posts.
 * The handler that stored the message posts the first batch itself (so small audiences cost no
 * extra hop, and the sender's own tab hears it at once) and hands the rest, in batches, to an
 * engine that delivers them in parallel: deployed, asynchronous invocations of the Fanout Lambda
 * (Lambda queues them, retries twice, and runs as many instances as there are batches);
 * locally, the same delivery code in this process. Numbers and limits: docs/performance.md.
 */

/** One frame for some connections: what one engine worker delivers. */
export interface FanoutBatch {
  /** The frame, already serialized (it is posted as is). */
  frame: string;
  connectionIds: string[];
}

/** Where the batches after the first go. `dispatch` resolves once they are handed over, not delivered. */
export interface FanoutEngine {
  dispatch(batches: FanoutBatch[]): Promise<void>;
}

/**
 * How an audience is cut. The first batch is posted by the handler before it answers: 100 posts,
 * 50 in flight, is two round trips to `@connections`. A batch of 500 is ten round trips for one
 * worker and 500 × ~40 bytes of ids, far below the 256 KB of an asynchronous invocation's payload.
 */
export const fanoutPlan = { firstBatch: 100, batchSize: 500 } as const;

/** The handler's own share and the batches for the engine, each recipient in exactly one. */
export function splitAudience(
  connectionIds: readonly string[],
  plan: { firstBatch: number; batchSize: number } = fanoutPlan,
): { first: string[]; rest: string[][] } {
  const first = connectionIds.slice(0, plan.firstBatch);
  const rest: string[][] = [];
  for (let i = plan.firstBatch; i < connectionIds.length; i += plan.batchSize) {
    rest.push(connectionIds.slice(i, i + plan.batchSize));
  }
  return { first, rest };
}

/**
 * Locally: each batch is delivered by the same code the Fanout Lambda runs, started at once and
 * not awaited by the dispatcher, as Lambda would run it. `idle()` resolves when every batch
 * dispatched so far is done (tests, and a clean shutdown).
 */
export function inProcessFanout(deliver: (batch: FanoutBatch) => Promise<void>): FanoutEngine & { idle(): Promise<void> } {
  const running = new Set<Promise<void>>();
  return {
    async dispatch(batches) {
      for (const batch of batches) {
        const job = deliver(batch)
          .catch((e) => console.error("fanout: batch not delivered:", e))
          .finally(() => running.delete(job));
        running.add(job);
      }
    },
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
