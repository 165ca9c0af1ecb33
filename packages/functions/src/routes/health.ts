import { Hono } from "hono";
import { AppError } from "@agorusta/core";
import type { AppEnv, Deps } from "../deps.ts";
import { documenting } from "../http/openapi.ts";

const doc = documenting("Health", { caller: "anyone" });

/** 200 once the table answers (a cheap keyed read that finds nothing); 503 while it cannot be reached. */
export const healthRoutes = (deps: Deps) =>
  new Hono<AppEnv>().get("/", doc("Whether the API can reach its table", { ok: 200, answers: "`{\"ok\": true}`" }), async (c) => {
    try {
      await deps.db.entities.uniques.get({ kind: "email", value: "health-check" }).go();
    } catch (e) {
      // Whatever the cause (refused, gone, throttled, misconfigured), the service is not healthy.
      console.error("health: the table cannot be reached:", (e as Error).message);
      throw new AppError("unavailable");
    }
    return c.json({ ok: true as const }, 200);
  });
