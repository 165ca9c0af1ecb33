import { createMiddleware } from "hono/factory";
import type { AppEnv, Deps } from "../deps.ts";

/** Requires `Authorization: Bearer <jwt>` and puts the caller's id in `c.var.userId`. */
export const requireUser = (deps: Deps) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization");
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    c.set("userId", await deps.tokens.verify(match?.[1]));
    await next();
  });
