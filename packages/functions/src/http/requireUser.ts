import { createMiddleware } from "hono/factory";
import { requireOpen } from "@agorusta/core/auth";
import { writesAfter } from "@agorusta/core/store";
import type { AppEnv, Deps } from "../deps.ts";

/**
 * Requires `Authorization: Bearer <jwt>` of an open session and puts the caller's id and session
 * in `c.var`. Logout and password change end sessions in the table, so whether this one is still
 * open is one GetItem; it runs alongside the route's own reads instead of before them. Until it
 * has answered open, none of the route's writes is sent (store/writeGate.ts), and whatever the
 * route answered, a session that has ended gets 401: a revoked token neither changes nor learns
 * anything (not even whether a channel exists).
 */
export const requireUser = (deps: Deps) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    const session = await deps.tokens.verify(match?.[1]);
    const open = requireOpen(deps.db, session);
    // Looked at below in every case; until then a rejection is not "unhandled".
    open.catch(() => {});
    c.set("userId", session.userId);
    c.set("session", session);
    await writesAfter(open, next);
    await open;
  });
