import { Hono } from "hono";
import { searchUsers } from "@agorusta/core/accounts";
import { searchQuery } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";
import { limitRate } from "../http/usage.ts";

export const usersRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/search", validate("query", searchQuery), async (c) => {
      await limitRate(deps, "userSearch", c.var.userId);
      return c.json(await searchUsers(deps.db, c.var.userId, c.req.valid("query").q), 200);
    });
