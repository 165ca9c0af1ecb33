import { Hono } from "hono";
import { createRole, deleteRole, listRoles, reorderRoles, updateRole } from "@agorusta/core/servers";
import { createRoleBody, editRoleBody, reorderRolesBody, roleParams, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../../deps.ts";
import { validate } from "../../http/validate.ts";
import { params } from "../../http/params.ts";
import { auditReasonOf } from "../../http/auditReason.ts";
import { permissionsChanged } from "../../delivery/permissionsChanged.ts";
import { documenting } from "../../http/openapi.ts";

const doc = documenting("Roles");

/**
 * `/servers/:id/roles`: any member lists them; who has `MANAGE_ROLES` creates, edits, reorders
 * and deletes those below their highest role (core/servers/roles.ts). Each change is announced
 * (`role_created` / `role_updated` / `role_deleted`) and, where it can change who sees what,
 * handed to `permissionsChanged` with the roles as they were.
 */
export const rolesRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .get("/", doc("The server's roles", { ok: 200, answers: "`ServerRole[]`" }), params(serverParams), async (c) => c.json(await listRoles(deps.db, c.req.valid("param").id, c.var.userId), 200))
    .post("/", doc("Create a role (MANAGE_ROLES)", { ok: 201, answers: "`ServerRole`", errors: [409] }), params(serverParams), validate("json", createRoleBody), async (c) => {
      const serverId = c.req.valid("param").id;
      const reason = auditReasonOf(c);
      // A new role has no members yet: nobody's permissions change.
      const { result: role } = await createRole(deps.db, serverId, c.var.userId, c.req.valid("json"), reason);
      await deps.publisher.toServer(serverId, { type: "role_created", serverId, role });
      return c.json(role, 201);
    })
    .patch("/", doc("Reorder roles (MANAGE_ROLES)", { ok: 200, answers: "`ServerRole[]`" }), params(serverParams), validate("json", reorderRolesBody), async (c) => {
      const serverId = c.req.valid("param").id;
      const reason = auditReasonOf(c);
      const { result: roles, before } = await reorderRoles(deps.db, serverId, c.var.userId, c.req.valid("json"), reason);
      const was = new Map((before?.roles ?? []).map((r) => [r.id, r.position]));
      for (const role of roles) if (was.get(role.id) !== role.position) await deps.publisher.toServer(serverId, { type: "role_updated", serverId, role });
      return c.json(roles, 200);
    })
    .patch("/:roleId", doc("Edit a role (MANAGE_ROLES, below one's highest role)", { ok: 200, answers: "`ServerRole`" }), params(roleParams), validate("json", editRoleBody), async (c) => {
      const { id: serverId, roleId } = c.req.valid("param");
      const reason = auditReasonOf(c);
      const { result: role, before } = await updateRole(deps.db, serverId, c.var.userId, roleId, c.req.valid("json"), reason);
      await deps.publisher.toServer(serverId, { type: "role_updated", serverId, role });
      await permissionsChanged(deps, { serverId, rolesBefore: before });
      return c.json(role, 200);
    })
    .delete("/:roleId", doc("Delete a role (MANAGE_ROLES, below one's highest role)", { ok: 204 }), params(roleParams), async (c) => {
      const { id: serverId, roleId } = c.req.valid("param");
      const reason = auditReasonOf(c);
      const { before } = await deleteRole(deps.db, serverId, c.var.userId, roleId, reason);
      await deps.publisher.toServer(serverId, { type: "role_deleted", serverId, roleId });
      await permissionsChanged(deps, { serverId, rolesBefore: before });
      return c.body(null, 204);
    });
