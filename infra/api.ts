import { handlerArgs } from "./functions.ts";
import { fanout, realtime } from "./realtime.ts";

/** The HTTP API: every request goes to the one Hono Lambda, which routes and answers 404s itself. */
export const api = new sst.aws.ApiGatewayV2("Api");
api.route("$default", handlerArgs("api", realtime, fanout));
