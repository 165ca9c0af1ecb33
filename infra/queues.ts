import { links } from "../packages/functions/src/lambda/links.ts";

/**
 * Deleted servers' purges (core/servers/deletion.ts): the API enqueues one message per retired
 * server, the consumer (infra/purge.ts) runs a slice and enqueues the next while there is more. A
 * message whose slice keeps failing is retried by SQS (after the visibility timeout) up to 5
 * times, then kept 14 days in the dead-letter queue; the purge job stays in the table meanwhile,
 * so nothing is lost even then (docs/decisions.md, "Background purge").
 */
export const purgeDeadLetters = new sst.aws.Queue("ServerPurgesFailed", {
  transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
});

/**
 * WebSockets to close at their token's expiry (packages/functions/src/delivery/connectionExpiry.ts):
 * the WebSocket Lambda sends one delayed message per connection whose token ends before API
 * Gateway's 2-hour cap, the consumer (infra/realtime.ts) closes it or, for a wait past SQS's
 * 15-minute delay, sends the next hop. A message still failing after 2 hours is dropped: by then
 * API Gateway has closed the connection anyway.
 */
export const connectionExpiries = new sst.aws.Queue(links.expiryQueue, {
  // Longer than the consumer's timeout, or a close still running would be delivered again.
  visibilityTimeout: "1 minute",
  transform: { queue: { messageRetentionSeconds: 2 * 3600 } },
});

export const purgeQueue = new sst.aws.Queue(links.purgeQueue, {
  // Longer than the consumer's timeout (infra/purge.ts), or a slice still running would be redelivered.
  visibilityTimeout: "6 minutes",
  dlq: { queue: purgeDeadLetters.arn, retry: 5 },
});

/**
 * New messages' pushes (packages/functions/src/push/queue.ts): the API sends one message per new
 * message, the consumer (infra/push.ts) decides who is pushed and sends it. A message still
 * failing after 3 tries goes to the dead-letter queue for a day: a push later than that is no use.
 */
export const pushDeadLetters = new sst.aws.Queue("PushesFailed", {
  transform: { queue: { messageRetentionSeconds: 24 * 3600 } },
});
export const pushQueue = new sst.aws.Queue(links.pushQueue, {
  // Longer than the consumer's timeout (infra/push.ts), or a delivery still running would be redelivered.
  visibilityTimeout: "2 minutes",
  dlq: { queue: pushDeadLetters.arn, retry: 3 },
  transform: { queue: { messageRetentionSeconds: 3600 } },
});
