import { api } from "./api.ts";
import { handlerArgs } from "./functions.ts";
import { fanout, realtime } from "./realtime.ts";
import { web, webOrigin } from "./web.ts";

/** The REST Lambda behind `$default`, told the one origin its CORS answers allow: the stage's web app. */
api.route("$default", handlerArgs("api", realtime, { environment: { WEB_ORIGIN: webOrigin(web) }, fanout }));
