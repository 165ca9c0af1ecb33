import { pushQueue } from "./queues.ts";
import { handlerArgs } from "./functions.ts";
import { realtime } from "./realtime.ts";
import { web, webOrigin } from "./web.ts";

/**
 * The push queue's consumer: up to ten new messages per invocation, decided and sent in
 * parallel; a push service gets 10 s, so a minute is ample. Failures are reported per message
 * (partial batch responses), and SQS retries only those. The web app's origin is its VAPID
 * subject: who push services may contact about these pushes.
 */
pushQueue.subscribe(
  { ...handlerArgs("push", realtime, { environment: { WEB_ORIGIN: webOrigin(web) } }), timeout: "60 seconds" },
  { batch: { size: 10, partialResponses: true } },
);
