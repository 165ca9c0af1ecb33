import { Hono } from "hono";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/auth.ts";

export const dmsRoutes = (deps: Deps) => new Hono<AppEnv>().use(requireUser(deps));
