import { Hono } from "hono";
import { everyKind, listReadStates } from "@agorusta/core/conversations";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { documenting } from "../http/openapi.ts";

const doc = documenting("Read states");

/** `/read-states`: where the caller has read up to, in every conversation of every kind (api.md "Read state, unread, mentions"). */
export const readStatesRoutes = (deps: Deps) =>
  new Hono<AppEnv>().use(requireUser(deps)).get("/", doc("Where the caller has read up to, in every conversation", { ok: 200, answers: "`ReadState[]`" }), async (c) => c.json(await listReadStates(deps.db, c.var.userId, everyKind), 200));
