/**
 * The Fanout Lambda: invoked asynchronously by the API and WebSocket Lambdas with one batch of
 * an event's recipients (delivery/fanout.ts), it posts the frame to each through `@connections`.
 * Lambda retries a failed invocation twice; a connection already posted to may then hear the
 * event twice, which clients tolerate (events carry ids and revisions).
 */
import type { FanoutBatch } from "../delivery/fanout.ts";
import { loadPublisher } from "../config.ts";

// Built during the Lambda's init phase, once per instance.
const publisher = loadPublisher();

export const handler = async (batch: FanoutBatch): Promise<void> => {
  await publisher.deliverBatch(batch);
};
