/**
 * Where a new message's push goes to be decided and sent, off the request path (api.md "Web
 * Push": the POST never waits for a push service): deployed, an SQS queue whose consumer Lambda
 * runs `deliverPush` (infra/push.ts); under `npm start` and in tests, the in-process worker of
 * packages/local, running the same function.
 */
import type { PushJob } from "@agorusta/core/notifications";
import { isId } from "@agorusta/core/schemas";

export interface PushQueue {
  /** Hands a message over; resolves once the request is durable (sent, or queued in-process). */
  enqueue(job: PushJob): Promise<void>;
}

/** No push set up (tests of other things, a stage without a key): nothing is pushed. */
export const unsentPushes: PushQueue = { enqueue: async () => {} };

/** The job a queue message carries, or null for one that is not (logged and dropped by the consumer, never retried). */
export function pushJobOf(body: string): PushJob | null {
  try {
    const job = JSON.parse(body) as Partial<Record<string, unknown>>;
    if (!isId(job.messageId)) return null;
    if (job.kind === "dm" && isId(job.conversationId)) return { kind: "dm", conversationId: job.conversationId, messageId: job.messageId };
    if (job.kind === "channel" && isId(job.serverId) && isId(job.channelId)) {
      return { kind: "channel", serverId: job.serverId, channelId: job.channelId, messageId: job.messageId };
    }
    return null;
  } catch {
    return null;
  }
}
