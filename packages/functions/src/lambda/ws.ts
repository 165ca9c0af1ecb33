/** The WebSocket Lambda behind `$connect`, `$disconnect` and `$default`: the same handler as the local `/ws` gateway. */
import { loadDeps } from "../config.ts";
import { createWsHandler } from "../ws/handler.ts";

// Built during the Lambda's init phase, once per instance; the handler is async, as Node 24 requires.
export const handler = createWsHandler(loadDeps("ws"));
