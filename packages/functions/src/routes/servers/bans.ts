import { Hono } from "hono";
import { banUser, listBans, unbanUser } from "@agorusta/core/servers";
import { banBody, memberParams, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { announceLeave } from "../../delivery/membershipEvents.ts";
import { auditReasonOf } from "../../http/auditReason.ts";

/** `/servers/:id/bans`: who has `BAN_MEMBERS` bans (removing the member as a kick does), unbans and lists. */
export const bansRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .get("/", params(serverParams), async (c) => c.json(await listBans(deps, c.req.valid("param").id, c.var.userId), 200))
    .put("/:userId", params(memberParams), validate("json", banBody), async (c) => {
      const { id: serverId, userId } = c.req.valid("param");
      const auditReason = auditReasonOf(c);
      const { removed } = await banUser(deps.db, { serverId, actorId: c.var.userId, userId, reason: c.req.valid("json").reason, auditReason });
      if (removed) await announceLeave(deps, serverId, userId, removed.listeners);
      return c.body(null, 204);
    })
    .delete("/:userId", params(memberParams), async (c) => {
      const { id: serverId, userId } = c.req.valid("param");
      await unbanUser(deps.db, { serverId, actorId: c.var.userId, userId, reason: auditReasonOf(c) });
      return c.body(null, 204);
    });
