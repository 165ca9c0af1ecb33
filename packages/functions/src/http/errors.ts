import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError } from "@agorusta/core";

const send = (c: Context, e: AppError) => {
  if (e.retryAfter !== undefined) c.header("retry-after", String(e.retryAfter));
  return c.json(e.toBody(), e.status);
};

/** Every failure leaves in the contract's JSON shape; only real faults are 500, and those are logged. */
export const onError: ErrorHandler = (err, c) => {
  if (err instanceof AppError) return send(c, err);
  if (err instanceof HTTPException) {
    // Hono's own: malformed JSON from the validator (400), the body limit (413).
    if (err.status === 413) return send(c, new AppError("payload_too_large"));
    if (err.status === 400) return send(c, new AppError("invalid_request", "The request body is not valid JSON."));
    if (err.status === 401) return send(c, new AppError("unauthorized"));
    if (err.status === 404) return send(c, new AppError("not_found"));
  }
  console.error(`${c.req.method} ${c.req.path} failed:`, err);
  return send(c, new AppError("internal"));
};

export const onNotFound: NotFoundHandler = (c) =>
  send(c, new AppError("not_found", `No route for ${c.req.method} ${c.req.path}.`));
