import { links } from "../packages/functions/src/lambda/links.ts";
import { handlerArgs } from "./functions.ts";
import { connectionExpiries } from "./queues.ts";

/** The WebSocket API; its `@connections` endpoint is how both Lambdas push events. */
export const realtime = new sst.aws.ApiGatewayWebSocket(links.realtime);

/**
 * Delivers large audiences in batches, invoked asynchronously by the other two (delivery/fanout.ts):
 * a batch is 500 posts, 50 in flight, so a minute is ample; Lambda retries a failed batch twice.
 */
export const fanout = new sst.aws.Function(links.fanout, { ...handlerArgs("fanout", realtime), timeout: "60 seconds", retries: 2 });

/** One handler for every route, as behind the local `/ws` gateway. */
export const wsHandler = new sst.aws.Function("WsHandler", handlerArgs("ws", realtime, { fanout }));

// A route given FunctionArgs would build a Lambda of its own; an ARN reuses the one above.
const wsHandlerArn = wsHandler.arn.apply((arn) => arn as sst.aws.FunctionArn);
for (const route of ["$connect", "$disconnect", "$default"]) realtime.route(route, wsHandlerArn);

/**
 * Closes WebSockets at their token's expiry (packages/functions/src/delivery/connectionExpiry.ts):
 * a close is one GetItem and one or two `@connections` calls, so a batch of ten fits 30 s with
 * room; failures are reported per message, and SQS retries only those.
 */
connectionExpiries.subscribe(
  { ...handlerArgs("expiry", realtime), timeout: "30 seconds" },
  { batch: { size: 10, partialResponses: true } },
);
