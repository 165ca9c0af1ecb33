import type { Context } from "hono";
import { getConnInfo as lambdaConnInfo } from "hono/aws-lambda";
import { getConnInfo as socketConnInfo } from "@hono/node-server/conninfo";

/** What a request arrives with when no adapter bound it: `app.request()` in tests. */
const UNKNOWN_ADDRESS = "unknown";

type LambdaRequestContext = { http?: { sourceIp?: unknown }; identity?: { sourceIp?: unknown } };

/**
 * The address of the client that opened the connection, as the platform saw it, read by Hono's
 * own `getConnInfo`: API Gateway's `sourceIp` under `hono/aws-lambda` (HTTP API v2, or REST v1's
 * `identity`), the socket's peer under `@hono/node-server`. `X-Forwarded-For` is never read: any
 * client can write it, and neither runtime sits behind a proxy of ours that would set it
 * (`sourceIp` is already the peer API Gateway saw). The Lambda helper falls back to that header
 * when the event has no `sourceIp`, so such an event is "unknown" before the helper is asked.
 */
export function clientAddress(c: Context): string {
  const env: unknown = c.env;
  if (typeof env !== "object" || env === null) return UNKNOWN_ADDRESS;
  if ("requestContext" in env) {
    const rc = (env.requestContext ?? {}) as LambdaRequestContext;
    const hasSourceIp = [rc.http?.sourceIp, rc.identity?.sourceIp].some((ip) => typeof ip === "string" && ip !== "");
    return (hasSourceIp && lambdaConnInfo(c).remote.address) || UNKNOWN_ADDRESS;
  }
  if ("incoming" in env || "server" in env) return socketConnInfo(c).remote.address ?? UNKNOWN_ADDRESS;
  return UNKNOWN_ADDRESS;
}
