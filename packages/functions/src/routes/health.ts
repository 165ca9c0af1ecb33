import { Hono } from "hono";
import type { AppEnv, Deps } from "../deps.ts";

/** 200 once the table answers: a cheap keyed read that finds nothing. */
export const healthRoutes = (deps: Deps) =>
  new Hono<AppEnv>().get("/", async (c) => {
    await deps.db.entities.uniques.get({ kind: "email", value: "health-check" }).go();
    return c.json({ ok: true as const }, 200);
  });
