import { createMiddleware } from "hono/factory";
import { AppError, type ErrorCode } from "@agorusta/core";
import { ULID } from "@agorusta/core/schemas";

const INVITE_CODE = /^[A-Za-z0-9]{8,64}$/;

/**
 * A path id that cannot be one of ours names nothing: 404 before any table read (an
 * oversized key would otherwise reach DynamoDB as a ValidationException).
 */
export const ids = (...names: string[]) =>
  createMiddleware(async (c, next) => {
    for (const name of names) {
      if (!ULID.test(c.req.param(name) ?? "")) throw new AppError("not_found");
    }
    await next();
  });

export const inviteCode = (name = "code", code: ErrorCode = "invite_not_found") =>
  createMiddleware(async (c, next) => {
    if (!INVITE_CODE.test(c.req.param(name) ?? "")) throw new AppError(code);
    await next();
  });
