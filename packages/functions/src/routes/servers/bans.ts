import { Hono } from "hono";
import { banUser, listBans, unbanUser } from "@agorusta/core/servers";
import { banBody, memberParams, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { announceLeave } from "../../delivery/membershipEvents.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Bans");

/** `/servers/:id/bans`: who has `BAN_MEMBERS` bans (removing the member as a kick does), unbans and lists. */
export const bansRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .get("/", doc("The server's bans (BAN_MEMBERS)", { ok: 200, answers: "The bans: each a `User` and the reason." }), params(serverParams), async (c) => c.json(await listBans(deps, c.req.valid("param").id, c.var.userId), 200))
    .put("/:userId", doc("Ban a user, removing them if a member (BAN_MEMBERS)", { ok: 204 }), params(memberParams), validate("json", banBody), async (c) => {
      const { id: serverId, userId } = c.req.valid("param");
      const auditReason = auditReasonOf(c);
      const { removed } = await banUser(deps.db, { serverId, actorId: c.var.userId, userId, reason: c.req.valid("json").reason, auditReason });
      if (removed) await announceLeave(deps, serverId, userId, removed.listeners);
      return c.body(null, 204);
    })
    .delete("/:userId", doc("Lift a ban (BAN_MEMBERS)", { ok: 204 }), params(memberParams), async (c) => {
      const { id: serverId, userId } = c.req.valid("param");
      await unbanUser(deps.db, { serverId, actorId: c.var.userId, userId, reason: auditReasonOf(c) });
      return c.body(null, 204);
    });
