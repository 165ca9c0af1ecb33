/**
 * A server's roles (api.md "Roles, channels, moderation: routes"): listed by any member; created,
 * edited, reordered and deleted by who has `MANAGE_ROLES`, only below their own highest role and
 * granting only what they hold. Every role lives in the server's one roles item
 * (model/serverRoles.ts); a change reads it, changes the list, and writes it back conditioned on
 * the `version` it read, with the version bumped and the change's audit entry in the same
 * transaction. A change that lost a race to another (any role or member-role change, a timeout,
 * an overwrite: all bump the version) is read and tried again, so checks are always made
 * against what the write replaces.
 */
import type { Db, ServerRolesItem, Write, WriteEntities } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { assertCommitted, beforeRetrying, transact } from "../store/transactions.ts";
import { fromWire, toWire } from "../permissions/bits.ts";
import { mayGrant } from "../permissions/policy.ts";
import { requireCan, requireRoleBelow, serverNotRetired, standingIn, type Standing } from "./access.ts";
import { rolesOf, type StoredRole } from "./grants.ts";
import { auditWrite, diffOf, type AuditRecord } from "../audit/log.ts";
import type { ServerRole } from "../views.ts";

/** At most this many roles in a server, `@everyone` included (Discord's cap; the roles item stays far below DynamoDB's 400 KB). */
export const MAX_ROLES = 250;

export const roleView = (serverId: string, r: StoredRole): ServerRole => ({
  id: r.id,
  serverId,
  name: r.name,
  color: r.color ?? null,
  position: r.position,
  permissions: r.permissions,
  hoist: r.hoist ?? false,
  mentionable: r.mentionable ?? false,
  createdAt: r.createdAt,
});

/** The server's roles by position, `@everyone` first, with the roles item they came from (null: the default). */
export function storedRoles(standing: Standing): StoredRole[] {
  return rolesOf(standing.member.serverId, standing.member.serverCreatedAt, standing.rolesItem).roles;
}

/** GET /servers/:id/roles: any member (one BatchGetItem: the membership and the roles item). */
export async function listRoles(db: Db, serverId: string, userId: string): Promise<ServerRole[]> {
  const standing = await standingIn(db, serverId, userId);
  return storedRoles(standing).map((r) => roleView(serverId, r));
}

/**
 * The write that replaces the roles item with `roles` at the next version, conditioned on the
 * version read (`rolesItem`; none yet: the item must still not exist).
 */
export function rolesWrite(e: WriteEntities, serverId: string, rolesItem: ServerRolesItem | null, roles: StoredRole[]): Write {
  const next = { serverId, roles: roles.map(stripUndefined), version: (rolesItem?.version ?? 0) + 1 };
  return rolesItem
    ? e.serverRoles.put(next).where((a, op) => op.eq(a.version, rolesItem.version)).commit()
    : e.serverRoles.create(next).commit();
}

/**
 * The write that only bumps the version (a member's roles or timeout changed: everyone's
 * permissions computed before it may be stale), under the same condition. A server with no roles
 * item gets one: the default `@everyone`, at version 1.
 */
export function versionBump(e: WriteEntities, standing: Standing): Write {
  const item = standing.rolesItem;
  if (!item) return rolesWrite(e, standing.member.serverId, null, storedRoles(standing));
  return e.serverRoles
    .patch({ serverId: item.serverId })
    .set({ version: item.version + 1 })
    .where((a, op) => op.eq(a.version, item.version))
    .commit();
}

/** DynamoDB's document client refuses `undefined` in a map: optional fields that are absent are left out. */
const stripUndefined = (r: StoredRole): StoredRole => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as StoredRole;

/** What a change to the roles list decides, from the caller's standing and the list as read. */
interface RolesChange<T> {
  roles: StoredRole[];
  audit: Omit<AuditRecord, "serverId" | "actorId" | "reason">;
  result: T;
}

/**
 * Reads the caller's standing and the roles (strongly), lets `change` check and build the new
 * list, and writes it with its audit entry; a lost race (the version moved) starts again.
 * Returns the result and the roles item as it was before (for `permissionsChanged`).
 */
async function changeRoles<T>(
  db: Db,
  serverId: string,
  actorId: string,
  reason: string | null | undefined,
  change: (standing: Standing, roles: StoredRole[]) => RolesChange<T>,
): Promise<{ result: T; before: ServerRolesItem | null }> {
  for (let attempt = 1; ; attempt++) {
    const standing = requireCan(await standingIn(db, serverId, actorId, { consistent: true }), "MANAGE_ROLES");
    const planned = change(standing, storedRoles(standing));
    const refused = await transact(db, (e) => ({
      roles: rolesWrite(e, serverId, standing.rolesItem, planned.roles),
      server: serverNotRetired(e.servers, serverId),
      audit: auditWrite(db, e, { serverId, actorId, reason, ...planned.audit }),
    }));
    if (refused.has("server")) throw new AppError("not_found", "No such server.");
    if (refused.has("roles")) {
      await beforeRetrying(attempt, "changeRoles");
      continue;
    }
    assertCommitted(refused, "changeRoles");
    return { result: planned.result, before: standing.rolesItem };
  }
}

/** The fields a role is created or edited with (schemas.ts `roleBody`). */
export interface RoleFields {
  name?: string | undefined;
  permissions?: string | undefined;
  color?: number | null | undefined;
  hoist?: boolean | undefined;
  mentionable?: boolean | undefined;
}

/** 403 unless the caller may set `granted` where `before` was. */
function requireGrantable(standing: Standing, granted: string, before: string | undefined): void {
  if (!mayGrant(standing.permissions, fromWire(granted), before === undefined ? 0n : fromWire(before))) {
    throw new AppError("forbidden", "You can only grant permissions you have yourself.");
  }
}

/** Positions 0..n-1 in list order. */
const renumbered = (roles: StoredRole[]) => roles.map((r, position) => ({ ...r, position }));

/**
 * POST /servers/:id/roles: a new role just above `@everyone` (position 1; the others move up
 * one), below the caller once placed; with no permissions unless given (and held).
 */
export async function createRole(db: Db, serverId: string, actorId: string, fields: RoleFields & { name: string }, reason?: string | null) {
  return changeRoles(db, serverId, actorId, reason, (standing, roles) => {
    if (roles.length >= MAX_ROLES) throw new AppError("limit_reached", `A server can have at most ${MAX_ROLES} roles.`);
    const permissions = fields.permissions ?? "0";
    requireGrantable(standing, permissions, undefined);
    const role: StoredRole = {
      id: newId(),
      name: fields.name,
      position: 1,
      permissions,
      createdAt: nowIso(db.clock),
      color: fields.color ?? undefined,
      hoist: fields.hoist ?? false,
      mentionable: fields.mentionable ?? false,
    } as StoredRole;
    const next = renumbered([roles[0]!, role, ...roles.slice(1)]);
    // The caller's rank as it will be: their own roles move up one with the rest.
    const after = { ...standing, server: { ...standing.server, roles: new Map(next.map((r) => [r.id, { id: r.id, position: r.position, permissions: fromWire(r.permissions) }])) } };
    requireRoleBelow(after, 1);
    const created = next.find((r) => r.id === role.id)!;
    return {
      roles: next,
      audit: { action: "role_create", targetId: role.id, changes: diffOf({}, fieldsOf(created)) },
      result: roleView(serverId, created),
    };
  });
}

/** What the audit log shows of a role. */
const fieldsOf = (r: StoredRole) => ({ name: r.name, permissions: r.permissions, color: r.color ?? null, hoist: r.hoist ?? false, mentionable: r.mentionable ?? false });

/** The role, or 404. */
function roleIn(roles: StoredRole[], roleId: string): StoredRole {
  const role = roles.find((r) => r.id === roleId);
  if (!role) throw new AppError("not_found", "No such role.");
  return role;
}

/** PATCH /servers/:id/roles/:roleId: any of its fields; a role below the caller; `@everyone` keeps its name. */
export async function updateRole(db: Db, serverId: string, actorId: string, roleId: string, fields: RoleFields, reason?: string | null) {
  return changeRoles(db, serverId, actorId, reason, (standing, roles) => {
    const role = roleIn(roles, roleId);
    requireRoleBelow(standing, role.position);
    if (role.id === serverId && fields.name !== undefined && fields.name !== role.name) {
      throw new AppError("invalid_request", "@everyone cannot be renamed.", { issues: [{ path: "name", message: "@everyone cannot be renamed." }] });
    }
    if (fields.permissions !== undefined) requireGrantable(standing, fields.permissions, role.permissions);
    const updated: StoredRole = {
      ...role,
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      ...(fields.permissions !== undefined ? { permissions: toWire(fromWire(fields.permissions)) } : {}),
      ...(fields.color !== undefined ? { color: fields.color ?? undefined } : {}),
      ...(fields.hoist !== undefined ? { hoist: fields.hoist } : {}),
      ...(fields.mentionable !== undefined ? { mentionable: fields.mentionable } : {}),
    } as StoredRole;
    return {
      roles: roles.map((r) => (r.id === roleId ? updated : r)),
      audit: { action: "role_update", targetId: roleId, changes: diffOf(fieldsOf(role), fieldsOf(updated)) },
      result: roleView(serverId, updated),
    };
  });
}

/**
 * DELETE /servers/:id/roles/:roleId: a role below the caller, never `@everyone`. Members and
 * overwrites that name it keep its id, which names nothing any more (the computation and the
 * views skip ids of roles that do not exist), so the delete is one write.
 */
export async function deleteRole(db: Db, serverId: string, actorId: string, roleId: string, reason?: string | null) {
  return changeRoles(db, serverId, actorId, reason, (standing, roles) => {
    if (roleId === serverId) throw new AppError("invalid_request", "@everyone cannot be deleted.");
    const role = roleIn(roles, roleId);
    requireRoleBelow(standing, role.position);
    return {
      roles: renumbered(roles.filter((r) => r.id !== roleId)),
      audit: { action: "role_delete", targetId: roleId, changes: diffOf(fieldsOf(role), {}) },
      result: undefined,
    };
  });
}

/**
 * PATCH /servers/:id/roles: moves roles to the positions given (`@everyone` stays at 0). The
 * roles given are placed at their positions and the others keep their order around them; then
 * positions are 0..n-1 again, without gaps or ties. Every role whose position changes because
 * the caller asked must be below them before and after.
 */
export async function reorderRoles(db: Db, serverId: string, actorId: string, moves: ReadonlyArray<{ id: string; position: number }>, reason?: string | null) {
  return changeRoles(db, serverId, actorId, reason, (standing, roles) => {
    const wanted = new Map<string, number>();
    for (const m of moves) {
      if (wanted.has(m.id)) throw new AppError("invalid_request", "Each role may appear once.");
      roleIn(roles, m.id);
      if (m.id === serverId) {
        if (m.position !== 0) throw new AppError("invalid_request", "@everyone stays at position 0.");
        continue;
      }
      if (m.position < 1 || m.position >= roles.length) {
        throw new AppError("invalid_request", `Positions go from 1 to ${roles.length - 1} (0 is @everyone's).`);
      }
      wanted.set(m.id, m.position);
    }
    const others = roles.slice(1).filter((r) => !wanted.has(r.id));
    const placed: (StoredRole | undefined)[] = new Array(roles.length - 1).fill(undefined);
    // Asked-for places first (a tie goes to the role that was higher), the rest fill the gaps in their order.
    for (const [id, position] of [...wanted].sort((a, b) => a[1] - b[1] || roleIn(roles, b[0]).position - roleIn(roles, a[0]).position)) {
      let at = position - 1;
      while (placed[at]) at++;
      if (at >= placed.length) at = placed.lastIndexOf(undefined);
      placed[at] = roleIn(roles, id);
    }
    let o = 0;
    for (let i = 0; i < placed.length; i++) if (!placed[i]) placed[i] = others[o++];
    const next = renumbered([roles[0]!, ...(placed as StoredRole[])]);
    const moved = next.filter((r) => wanted.has(r.id) && r.position !== roleIn(roles, r.id).position);
    for (const r of moved) {
      requireRoleBelow(standing, roleIn(roles, r.id).position);
      requireRoleBelow(standing, r.position);
    }
    // Every moved role stays below the caller and the rest keep their order: the caller's own rank does not change.
    return {
      roles: next,
      audit: {
        action: "role_update",
        targetId: null,
        changes: Object.fromEntries(moved.map((r) => [r.id, { old: roleIn(roles, r.id).position, new: r.position }])),
      },
      result: next.map((r) => roleView(serverId, r)),
    };
  });
}
