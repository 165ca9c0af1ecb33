import { purgeQueue } from "./queues.ts";
import { handlerArgs } from "./functions.ts";
import { realtime } from "./realtime.ts";

/**
 * The purge queue's consumer: one message (one slice of one server) per invocation, failures
 * reported per message (partial batch responses), a timeout well above a slice's few seconds.
 */
purgeQueue.subscribe(
  { ...handlerArgs("purge", realtime), timeout: "5 minutes" },
  { batch: { size: 1, partialResponses: true } },
);
