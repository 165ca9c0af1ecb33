import { Hono } from "hono";
import { getInviteInfo, joinByInvite } from "@agorusta/core/servers";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { params } from "../http/params.ts";
import { inviteParams, serverObject } from "@agorusta/core/schemas";
import { announceJoin } from "../delivery/membershipEvents.ts";
import { documenting } from "../http/openapi.ts";

const doc = documenting("Invites");

export const invitesRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/:code", doc("What an invite leads to", { ok: 200, answers: "`InviteInfo`", errors: [410] }), params(inviteParams, { code: "invite_not_found" }), async (c) => c.json(await getInviteInfo(deps.db, c.req.valid("param").code), 200))
    .post("/:code/join", doc("Join a server by an invite", { ok: 200, body: serverObject, errors: [410] }), params(inviteParams, { code: "invite_not_found" }), async (c) => {
      const { server, joined } = await joinByInvite(deps.db, c.req.valid("param").code, c.var.userId, deps.files);
      await announceJoin(deps, server.id, joined);
      return c.json(server, 200);
    });
