import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "@agorusta/core";

const send = (c: Context, e: AppError) => {
  if (e.retryAfter !== undefined) c.header("retry-after", String(e.retryAfter));
  return c.json(e.toBody(), e.status);
};

/** Errors of a connection to the database that could not be made or broke: the table is out of reach, not the request at fault. */
const unreachableCodes = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

export function isDatabaseUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && unreachableCodes.has(code)) return true;
    // Node's fetch and the SDK wrap the socket error one level down, in an AggregateError's list.
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some((x) => isDatabaseUnreachable(x))) return true;
  }
  return false;
}

/** Every failure leaves in the contract's JSON shape; only real faults are 500, and those are logged. */
/**
 * The AppError a failure carries, itself or as the cause ElectroDB wrapped it in: a write held
 * behind a session check that failed (store/requestScope.ts) fails with the check's error.
 */
function appErrorOf(err: unknown): AppError | null {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AppError) return e;
  }
  return null;
}

/** A path as logged: a webhook's token (a secret in its URL) never reaches the logs. */
const loggedPath = (path: string) => path.replace(/^(\/(?:v10\/)?webhooks\/[^/]+\/)[^/]+/, "$1<token>");

export const onError: ErrorHandler = (err, c) => {
  const known = appErrorOf(err);
  if (known) return send(c, known);
  if (err instanceof HTTPException) {
    // Hono's own: malformed JSON from the validator (400), the body limit (413).
    if (err.status === 413) return send(c, new AppError("payload_too_large"));
    if (err.status === 400) return send(c, new AppError("invalid_request", "The request body is not valid JSON."));
    if (err.status === 401) return send(c, new AppError("unauthorized"));
    if (err.status === 404) return send(c, new AppError("not_found"));
  }
  if (isDatabaseUnreachable(err)) {
    console.error(`${c.req.method} ${loggedPath(c.req.path)}: the database is out of reach`);
    return send(c, new AppError("unavailable"));
  }
  console.error(`${c.req.method} ${loggedPath(c.req.path)} failed:`, err);
  return send(c, new AppError("internal"));
};

export const onNotFound: NotFoundHandler = (c) =>
  send(c, new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`));
