import { Hono } from "hono";
import { createInvite, deleteInvite, listInvites } from "@agorusta/core/servers";
import { createInviteBody, invitesQuery, serverInviteParams, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { liveCaps } from "../../http/usage.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Invites");

/** `/servers/:id/invites`: who has `CREATE_INSTANT_INVITE` creates one (and deletes their own); `MANAGE_GUILD` lists and deletes them. */
export const serverInvitesRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .post("/", doc("Create an invite (CREATE_INSTANT_INVITE)", { ok: 201, answers: "`Invite`", errors: [409] }), params(serverParams), validate("json", createInviteBody), async (c) => {
      const reason = auditReasonOf(c);
      const invite = await createInvite(deps.db, { serverId: c.req.valid("param").id, userId: c.var.userId, ...c.req.valid("json"), reason }, liveCaps(deps));
      return c.json(invite, 201);
    })
    .get("/", doc("The server's invites (MANAGE_GUILD)", { ok: 200, answers: "`Invite[]`" }), params(serverParams), validate("query", invitesQuery), async (c) =>
      c.json(await listInvites(deps.db, c.req.valid("param").id, c.var.userId, c.req.valid("query")), 200),
    )
    .delete("/:code", doc("Delete an invite (one's own, or any with MANAGE_GUILD)", { ok: 204 }), params(serverInviteParams, { code: "invite_not_found" }), async (c) => {
      const { id: serverId, code } = c.req.valid("param");
      await deleteInvite(deps.db, serverId, c.var.userId, code, auditReasonOf(c));
      return c.body(null, 204);
    });
