import { links } from "../packages/functions/src/lambda/links.ts";
import { handlerArgs } from "./functions.ts";

/** The WebSocket API; its `@connections` endpoint is how both Lambdas push events. */
export const realtime = new sst.aws.ApiGatewayWebSocket(links.realtime);

/** One handler for every route, as behind the local `/ws` gateway. */
const wsHandler = new sst.aws.Function("WsHandler", handlerArgs("ws", realtime));

// A route given FunctionArgs would build a Lambda of its own; an ARN reuses the one above.
const wsHandlerArn = wsHandler.arn.apply((arn) => arn as sst.aws.FunctionArn);
for (const route of ["$connect", "$disconnect", "$default"]) realtime.route(route, wsHandlerArn);
