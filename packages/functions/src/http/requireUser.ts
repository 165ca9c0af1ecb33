import { createMiddleware } from "hono/factory";
import { deferredBotCheck, deferredSessionCheck } from "@agorusta/core/auth";
import { AppError } from "@agorusta/core";
import { inRequestScope } from "@agorusta/core/store";
import type { AppEnv, Deps } from "../deps.ts";

/**
 * Requires `Authorization: Bearer <jwt>` of an open session and puts the caller's id and session
 * in `c.var`. Logout and password change end sessions in the table, so whether this one is still
 * open is a read of its item; it travels with the route's first DynamoDB request (inside its
 * BatchGetItem when it has one) instead of going before it. Until it has answered open, none of
 * the route's writes is sent (store/requestScope.ts), and whatever the route answered, a session
 * that has ended gets 401: a revoked token neither changes nor learns anything (not even whether
 * a channel exists).
 *
 * `Authorization: Bot <token>` (api.md "Bots") is taken the same way, its session read checking
 * the token's hash, on every route but those that say `{ bots: false }` (`/auth/*` but the
 * WebSocket ticket, `/bots`, push): a bot is then refused with 403.
 */
export const requireUser = (deps: Deps, options: { bots?: boolean } = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    const bot = header?.match(/^Bot\s+(\S+)$/i);
    if (bot && options.bots === false) throw new AppError("forbidden", "Bots cannot use this route.");
    const bearer = header?.match(/^Bearer\s+(\S+)$/i);
    const { claims: session, deferred, open } = bot
      ? deferredBotCheck(deps.db, bot[1]!)
      : await (async () => {
          const claims = await deps.tokens.verify(bearer?.[1]);
          return { claims, ...deferredSessionCheck(deps.db, claims) };
        })();
    // Looked at below in every case; until then a rejection is not "unhandled".
    open.catch(() => {});
    c.set("userId", session.userId);
    c.set("session", session);
    c.set("bot", !!bot);
    await inRequestScope(deps.db.client, { gate: open, deferred: [deferred] }, next);
    await open;
  });
