import { Hono } from "hono";
import { getInviteInfo, joinByInvite } from "@agorusta/core/servers";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { params } from "../http/params.ts";
import { inviteParams } from "@agorusta/core/schemas";
import { announceJoin } from "../delivery/membershipEvents.ts";

export const invitesRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/:code", params(inviteParams, { code: "invite_not_found" }), async (c) => c.json(await getInviteInfo(deps.db, c.req.valid("param").code), 200))
    .post("/:code/join", params(inviteParams, { code: "invite_not_found" }), async (c) => {
      const { server, joined } = await joinByInvite(deps.db, c.req.valid("param").code, c.var.userId, deps.files);
      await announceJoin(deps, server.id, joined);
      return c.json(server, 200);
    });
