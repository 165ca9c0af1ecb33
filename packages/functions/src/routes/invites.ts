import { Hono } from "hono";
import { getInviteInfo, joinByInvite } from "@agorusta/core/invites";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/auth.ts";
import { inviteCode } from "../http/params.ts";
import { announceJoin } from "../http/announce.ts";

export const invitesRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/:code", inviteCode(), async (c) => c.json(await getInviteInfo(deps.db, c.req.param("code")), 200))
    .post("/:code/join", inviteCode(), async (c) => {
      const { server, joined } = await joinByInvite(deps.db, c.req.param("code"), c.var.userId);
      await announceJoin(deps, server.id, joined);
      return c.json(server, 200);
    });
