import { createMiddleware } from "hono/factory";
import { checkSession } from "@agorusta/core/auth";
import type { AppEnv, Deps } from "../deps.ts";

/**
 * Requires `Authorization: Bearer <jwt>` of an open session (one GetItem: logout and password
 * change end sessions in the table) and puts the caller's id and session in `c.var`.
 */
export const requireUser = (deps: Deps) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    const session = await checkSession(deps.db, deps.tokens, match?.[1]);
    c.set("userId", session.userId);
    c.set("session", session);
    await next();
  });
