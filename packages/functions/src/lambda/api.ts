/** The REST Lambda behind the HTTP API's `$default` route: the same Hono app as `npm start`. */
import { handle } from "hono/aws-lambda";
import { createApp } from "../app.ts";
import { loadDeps } from "../config.ts";

// Built during the Lambda's init phase, once per instance; `handle` gives the async handler Node 24 requires.
export const handler = handle(createApp(loadDeps("api")));
