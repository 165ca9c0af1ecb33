import { Hono } from "hono";
import { createInvite, deleteInvite, listInvites } from "@agorusta/core/servers";
import { createInviteBody, invitesQuery, serverInviteParams, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { liveCaps } from "../../http/usage.ts";
import { auditReasonOf } from "../../http/auditReason.ts";

/** `/servers/:id/invites`: who has `CREATE_INSTANT_INVITE` creates one (and deletes their own); `MANAGE_GUILD` lists and deletes them. */
export const serverInvitesRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .post("/", params(serverParams), validate("json", createInviteBody), async (c) => {
      const reason = auditReasonOf(c);
      const invite = await createInvite(deps.db, { serverId: c.req.valid("param").id, userId: c.var.userId, ...c.req.valid("json"), reason }, liveCaps(deps));
      return c.json(invite, 201);
    })
    .get("/", params(serverParams), validate("query", invitesQuery), async (c) =>
      c.json(await listInvites(deps.db, c.req.valid("param").id, c.var.userId, c.req.valid("query")), 200),
    )
    .delete("/:code", params(serverInviteParams, { code: "invite_not_found" }), async (c) => {
      const { id: serverId, code } = c.req.valid("param");
      await deleteInvite(deps.db, serverId, c.var.userId, code, auditReasonOf(c));
      return c.body(null, 204);
    });
