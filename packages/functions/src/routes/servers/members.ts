import { Hono } from "hono";
import { getMember, kickMember, leaveServer, listMembers } from "@agorusta/core/servers";
import { memberParams, membersQuery, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { announceLeave } from "../../delivery/membershipEvents.ts";

/** `/servers/:id/members`: the roster, leaving, and kicking (owner only). */
export const membersRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .get("/", params(serverParams), validate("query", membersQuery), async (c) => {
      const serverId = c.req.valid("param").id;
      return c.json(await listMembers(deps, { serverId, userId: c.var.userId, ...c.req.valid("query") }), 200);
    })
    // One member (docs/decisions.md, "People": the profile card of someone not in the loaded roster).
    .get("/:userId", params(memberParams), async (c) => {
      const { id: serverId, userId: memberId } = c.req.valid("param");
      return c.json(await getMember(deps, { serverId, userId: c.var.userId, memberId }), 200);
    })
    .delete("/me", params(serverParams), async (c) => {
      const serverId = c.req.valid("param").id;
      const { listeners } = await leaveServer(deps.db, serverId, c.var.userId);
      await announceLeave(deps, serverId, c.var.userId, listeners);
      return c.body(null, 204);
    })
    .delete("/:userId", params(memberParams), async (c) => {
      const { id: serverId, userId } = c.req.valid("param");
      const kicked = await kickMember(deps.db, serverId, c.var.userId, userId);
      await announceLeave(deps, serverId, kicked.userId, kicked.listeners);
      return c.body(null, 204);
    });
