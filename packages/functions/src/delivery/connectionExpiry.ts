/**
 * A WebSocket closes when its token expires (issue 21, item 4), whether or not it sends or
 * receives anything. Nothing in a Lambda can wait across invocations, so `$connect` hands the
 * close to a queue that delays it: deployed, an SQS queue whose consumer Lambda runs
 * `closeIfExpired` (infra/realtime.ts); under `npm start` and in tests, the in-process stand-in of
 * packages/local, running the same function. SQS delays a message by at most 15 minutes, so a
 * later expiry is reached in hops: each delivery before the time asks again for the rest.
 *
 * Only connections whose token ends before API Gateway's own 2-hour cap need one: the others
 * are closed by the gateway first. Meanwhile the publisher delivers nothing to a connection past
 * its expiry (delivery/publisher.ts), and every frame checks the session (ws/handler.ts).
 * Docs: docs/decisions.md, "Sessions end on time".
 */
import type { Db, Publisher } from "@agorusta/core";
import { closeEndedSessions } from "./endSessions.ts";

/** Close this connection at `expiresAt` (epoch seconds: its token's `exp`) if it is still open then. */
export interface ExpiryRequest {
  connectionId: string;
  expiresAt: number;
}

export interface ExpiryQueue {
  /** Asks for `closeIfExpired(request)` at its expiry, or after the longest delay the queue allows, whichever is sooner. */
  schedule(request: ExpiryRequest): Promise<void>;
}

/** The longest delay SQS gives a message (DelaySeconds). */
export const MAX_DELAY_SECONDS = 900;

/** Seconds to wait before the next look: until the expiry, at most one hop. */
export const delayFor = (request: ExpiryRequest, nowMs: number) =>
  Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(request.expiresAt - nowMs / 1000)));

/** No queue (a test's deps): connections then end at their next frame or delivery, or API Gateway's cap. */
export const unscheduledExpiries: ExpiryQueue = { schedule: async () => {} };

/** The request a message carries, or null for one that is not (logged and dropped by the consumer). */
export function expiryRequest(body: string): ExpiryRequest | null {
  try {
    const { connectionId, expiresAt } = JSON.parse(body) as Partial<ExpiryRequest>;
    return typeof connectionId === "string" && connectionId && typeof expiresAt === "number" && Number.isFinite(expiresAt)
      ? { connectionId, expiresAt }
      : null;
  } catch {
    return null;
  }
}

/**
 * Runs when a request's delay is over. Before its time (a hop of a long wait): asks again for
 * the rest. At or after it: if the connection is still open with a token expired by now (its
 * item, written at `$connect`, says which), tells it its session ended and closes it. A
 * connection already closed has no item left, and nothing happens.
 */
export async function closeIfExpired(deps: { db: Db; publisher: Publisher }, queue: ExpiryQueue, request: ExpiryRequest): Promise<void> {
  const now = deps.db.clock.now();
  if (request.expiresAt * 1000 > now) return queue.schedule(request);
  const { data } = await deps.db.entities.connections.get({ connectionId: request.connectionId }).go({ attributes: ["sessionExpiresAt"] });
  if (data?.sessionExpiresAt === undefined || data.sessionExpiresAt * 1000 > now) return;
  await closeEndedSessions(deps.publisher, [request.connectionId]);
}
