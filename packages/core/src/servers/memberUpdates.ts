/**
 * Changes to one member that change their permissions (api.md "Roles, channels, moderation:
 * routes"): giving or taking a role (`MANAGE_ROLES`, the role below the caller) and a timeout
 * (`MODERATE_MEMBERS`, the member below the caller, at most 28 days ahead). Each is one
 * transaction: the membership's change, the server's roles `version` bumped (conditioned on the
 * version the checks read, so a concurrent change of ranks makes it check again), the audit entry.
 */
import type { MemberItem, ServerRolesItem, Write, WriteEntities } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { itemRead } from "../store/batchGet.ts";
import { epochSeconds } from "../store/time.ts";
import { assertCommitted, beforeRetrying, transact } from "../store/transactions.ts";
import { PERMISSIONS, has } from "../permissions/bits.ts";
import { basePermissions } from "../permissions/compute.ts";
import { requireAbove, requireCan, requireRoleBelow, standingWith, type Standing } from "./access.ts";
import { memberGrants } from "./grants.ts";
import { storedRoles, versionBump } from "./roles.ts";
import { auditWrite, type AuditRecord } from "../audit/log.ts";
import { isOnline } from "../realtime/presence.ts";
import { imageUrlOf, type Stores } from "../attachments/files.ts";
import { memberView, type Member } from "../views.ts";

/** The longest timeout (Discord's): 28 days. */
export const MAX_TIMEOUT_MS = 28 * 86_400_000;

/** What a member change returns: the member as now (their view) and as before (for `permissionsChanged`). */
export interface MemberChange {
  member: Member;
  before: Pick<MemberItem, "userId" | "roleIds" | "timeoutUntil">;
  /** Whether anything was written (giving a role someone has, or taking one they lack, writes nothing). */
  changed: boolean;
}

/**
 * Reads the caller's standing, the target's membership and user (one BatchGetItem, strongly),
 * lets `plan` check and say what to write (null: nothing), and writes it with the version bump
 * and the audit entry; a lost race on the version starts again.
 */
async function changeMember(
  stores: Stores,
  input: { serverId: string; actorId: string; userId: string; reason?: string | null | undefined },
  plan: (standing: Standing, target: MemberItem) => null | {
    write: (e: WriteEntities) => Write;
    after: Partial<Pick<MemberItem, "roleIds" | "timeoutUntil">>;
    audit: Omit<AuditRecord, "serverId" | "actorId" | "reason" | "targetId">;
  },
): Promise<MemberChange> {
  const { db } = stores;
  const { serverId, actorId, userId } = input;
  for (let attempt = 1; ; attempt++) {
    const { standing, found } = await standingWith(
      db,
      serverId,
      actorId,
      { target: itemRead(db.entities.members, { serverId, userId }), user: itemRead(db.entities.users, { userId }) },
      { consistent: true },
    );
    const target = found.target as MemberItem | null;
    if (!target) throw new AppError("not_found", "No such member.");
    const planned = plan(standing, target);
    let after = target;
    if (planned) {
      const refused = await transact(db, (e) => ({
        member: planned.write(e),
        roles: versionBump(e, standing),
        audit: auditWrite(db, e, { serverId, actorId, reason: input.reason, targetId: userId, ...planned.audit }),
      }));
      if (refused.has("member")) throw new AppError("not_found", "No such member.");
      if (refused.has("roles")) {
        await beforeRetrying(attempt, "changeMember");
        continue;
      }
      assertCommitted(refused, "changeMember");
      after = { ...target, ...planned.after };
    }
    const user = found.user;
    const member = memberView(after, user ? isOnline(user, epochSeconds(db.clock)) : false, user ? await imageUrlOf(stores.files, user.avatarKey) : null, memberRolesView(after, standing.rolesItem));
    return { member, before: target, changed: planned !== null };
  }
}

/** A member's `roles` (ids of roles that exist, `@everyone` left out) and `timeoutUntil` (only while it lasts). */
export function memberRolesView(m: Pick<MemberItem, "serverId" | "roleIds" | "timeoutUntil">, rolesItem: ServerRolesItem | null | undefined, nowMs?: number) {
  const exists = new Set((rolesItem?.roles ?? []).map((r) => r.id));
  const until = m.timeoutUntil ?? null;
  return {
    roles: (m.roleIds ?? []).filter((id) => id !== m.serverId && exists.has(id)).sort(),
    timeoutUntil: until && (nowMs === undefined || Date.parse(until) > nowMs) ? until : null,
  };
}

/** The membership still exists (a member who left meanwhile is not given anything). */
const stillMember = (e: WriteEntities, serverId: string, userId: string) => e.members.patch({ serverId, userId });

/** PUT (`give`) or DELETE the role of a member: `MANAGE_ROLES`, the role below the caller, never `@everyone`. */
export async function setMemberRole(
  stores: Stores,
  input: { serverId: string; actorId: string; userId: string; roleId: string; give: boolean; reason?: string | null | undefined },
): Promise<MemberChange> {
  const { serverId, userId, roleId, give } = input;
  return changeMember(stores, input, (standing, target) => {
    requireCan(standing, "MANAGE_ROLES");
    if (roleId === serverId) throw new AppError("invalid_request", "Every member has @everyone; it cannot be given or taken.");
    const role = storedRoles(standing).find((r) => r.id === roleId);
    if (!role) throw new AppError("not_found", "No such role.");
    requireRoleBelow(standing, role.position);
    const held = new Set(target.roleIds ?? []);
    if (held.has(roleId) === give) return null;
    if (give) held.add(roleId);
    else held.delete(roleId);
    return {
      write: (e) => {
        const patch = stillMember(e, serverId, userId);
        return (give ? patch.add({ roleIds: [roleId] }) : patch.delete({ roleIds: [roleId] })).where((a, op) => op.exists(a.joinedAt)).commit();
      },
      after: { roleIds: [...held] },
      audit: { action: "member_role_update", changes: { [give ? "$add" : "$remove"]: { new: [{ id: role.id, name: role.name }] } } },
    };
  });
}

/**
 * PATCH /servers/:id/members/:userId `{timeoutUntil}`: `MODERATE_MEMBERS`, the member below the
 * caller and not an administrator (Discord refuses that too); a time at most 28 days ahead, or
 * null to end it. A time already past is refused (null ends a timeout).
 */
export async function timeOutMember(
  stores: Stores,
  input: { serverId: string; actorId: string; userId: string; timeoutUntil: string | null; reason?: string | null | undefined },
): Promise<MemberChange> {
  const { serverId, userId } = input;
  const now = stores.db.clock.now();
  const until = input.timeoutUntil === null ? null : new Date(Date.parse(input.timeoutUntil));
  if (until && (until.getTime() <= now || until.getTime() > now + MAX_TIMEOUT_MS)) {
    throw new AppError("invalid_request", "timeoutUntil must be in the future and at most 28 days ahead (null ends a timeout).", {
      issues: [{ path: "timeoutUntil", message: "Between now and 28 days ahead." }],
    });
  }
  return changeMember(stores, input, (standing, target) => {
    requireCan(standing, "MODERATE_MEMBERS");
    requireAbove(standing, target);
    if (until && has(basePermissions(standing.server, { ...memberGrants(target), timeoutUntil: null }, now), PERMISSIONS.ADMINISTRATOR)) {
      throw new AppError("forbidden", "Administrators cannot be timed out.");
    }
    const old = target.timeoutUntil && Date.parse(target.timeoutUntil) > now ? target.timeoutUntil : null;
    const next = until ? until.toISOString() : null;
    if (old === next) return null;
    return {
      write: (e) => {
        const patch = stillMember(e, serverId, userId);
        return (next ? patch.set({ timeoutUntil: next }) : patch.remove(["timeoutUntil"])).where((a, op) => op.exists(a.joinedAt)).commit();
      },
      after: next ? { timeoutUntil: next } : { timeoutUntil: undefined },
      audit: { action: "member_update", changes: { timeoutUntil: { old, new: next } } },
    };
  });
}
