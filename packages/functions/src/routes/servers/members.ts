import { Hono } from "hono";
import { getMember, kickMember, leaveServer, listMembers, setMemberRole, timeOutMember, type MemberChange } from "@agorusta/core/servers";
import { editMemberBody, memberParams, memberRoleParams, membersQuery, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { announceLeave } from "../../delivery/membershipEvents.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { permissionsChanged } from "../../delivery/permissionsChanged.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Members");

/** After a member's roles or timeout changed: everyone is told (`member_updated`), and who sees what is brought up to date. */
async function announceMemberChange(deps: Deps, serverId: string, change: MemberChange): Promise<void> {
  if (!change.changed) return;
  await deps.publisher.toServer(serverId, { type: "member_updated", serverId, member: change.member });
  await permissionsChanged(deps, { serverId, membersBefore: [change.before] });
}

/**
 * `/servers/:id/members`: the roster, leaving, kicking (`KICK_MEMBERS`, below the caller), timing
 * out (`MODERATE_MEMBERS`) and giving or taking roles (`MANAGE_ROLES`).
 */
export const membersRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .get("/", doc("The server's members, a page at a time", { ok: 200, answers: "`Member[]`" }), params(serverParams), validate("query", membersQuery), async (c) => {
      const serverId = c.req.valid("param").id;
      return c.json(await listMembers(deps, { serverId, userId: c.var.userId, ...c.req.valid("query") }), 200);
    })
    // One member (docs/decisions.md, "People": the profile card of someone not in the loaded roster).
    .get("/:userId", doc("One member", { ok: 200, answers: "`Member`" }), params(memberParams), async (c) => {
      const { id: serverId, userId: memberId } = c.req.valid("param");
      return c.json(await getMember(deps, { serverId, userId: c.var.userId, memberId }), 200);
    })
    .delete("/me", doc("Leave the server", { ok: 204, errors: [409] }), params(serverParams), async (c) => {
      const serverId = c.req.valid("param").id;
      const { listeners } = await leaveServer(deps.db, serverId, c.var.userId);
      await announceLeave(deps, serverId, c.var.userId, listeners);
      return c.body(null, 204);
    })
    .patch("/:userId", doc("Time a member out, or end their timeout (MODERATE_MEMBERS)", { ok: 200, answers: "`Member`" }), params(memberParams), validate("json", editMemberBody), async (c) => {
      const { id: serverId, userId } = c.req.valid("param");
      const reason = auditReasonOf(c);
      const change = await timeOutMember(deps, { serverId, actorId: c.var.userId, userId, timeoutUntil: c.req.valid("json").timeoutUntil, reason });
      await announceMemberChange(deps, serverId, change);
      return c.json(change.member, 200);
    })
    .on(["PUT", "DELETE"], "/:userId/roles/:roleId", doc("Give (PUT) or take (DELETE) a role (MANAGE_ROLES)", { ok: 204 }), params(memberRoleParams), async (c) => {
      const { id: serverId, userId, roleId } = c.req.valid("param");
      const reason = auditReasonOf(c);
      const change = await setMemberRole(deps, { serverId, actorId: c.var.userId, userId, roleId, give: c.req.method === "PUT", reason });
      await announceMemberChange(deps, serverId, change);
      return c.body(null, 204);
    })
    .delete("/:userId", doc("Kick a member (KICK_MEMBERS)", { ok: 204 }), params(memberParams), async (c) => {
      const { id: serverId, userId } = c.req.valid("param");
      const kicked = await kickMember(deps.db, serverId, c.var.userId, userId, auditReasonOf(c));
      await announceLeave(deps, serverId, kicked.userId, kicked.listeners);
      return c.body(null, 204);
    });
