/**
 * The checks every server route makes: is the caller a member (else 404, a non-member may not
 * learn the server exists), and do their permissions, computed from their membership and the
 * server's roles item (read together, one request: what a membership read alone cost before),
 * allow the action (else 403, a member knows the server exists). api.md "Communities".
 */
import type { Db, MemberItem, ServerRolesItem, WriteEntities } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { itemRead } from "../store/batchGet.ts";
import { readTogether, type ItemReads } from "../store/readTogether.ts";
import type { PermissionName } from "../permissions/bits.ts";
import { basePermissions, type MemberGrants, type ServerGrants } from "../permissions/compute.ts";
import { can, outranks, ranksAbove } from "../permissions/policy.ts";
import { memberGrants, rolesRead, serverGrants } from "./grants.ts";

/** The caller in a server: their membership, the server's roles as read, and their base permissions now. */
export interface Standing {
  member: MemberItem;
  /** The roles item as read (null: a server with only the default `@everyone`), to write back on its `version`. */
  rolesItem: ServerRolesItem | null;
  server: ServerGrants;
  self: MemberGrants;
  permissions: bigint;
}

/** A membership with the server's roles item, as the caller's standing. */
export function standingOf(db: Db, member: MemberItem, rolesItem: ServerRolesItem | null): Standing {
  const server = serverGrants(member, rolesItem);
  const self = memberGrants(member);
  return { member, rolesItem, server, self, permissions: basePermissions(server, self, db.clock.now()) };
}

/**
 * The caller's standing in the server (404 for a non-member), and `reads` of the same request
 * beside it: the membership and the roles item are one BatchGetItem with them.
 */
export async function standingWith<R extends ItemReads>(
  db: Db,
  serverId: string,
  userId: string,
  reads: R = {} as R,
  options: { consistent?: boolean } = {},
) {
  const found = await readTogether(
    db,
    { ...reads, member: itemRead(db.entities.members, { serverId, userId }), roles: rolesRead(db, serverId) },
    options,
  );
  if (!found.member) throw new AppError("not_found", "No such server.");
  return { standing: standingOf(db, found.member as unknown as MemberItem, found.roles as unknown as ServerRolesItem | null), found };
}

/** The caller's standing (404 for a non-member). */
export const standingIn = async (db: Db, serverId: string, userId: string, options: { consistent?: boolean } = {}): Promise<Standing> =>
  (await standingWith(db, serverId, userId, {}, options)).standing;

/** 403 unless the standing holds `permission`. */
export function requireCan(standing: Standing, permission: PermissionName): Standing {
  if (!can(standing.permissions, permission)) throw new AppError("forbidden", `You need the ${permission} permission to do that.`);
  return standing;
}

/** The caller's standing, if it holds `permission` (404 for a non-member, 403 for a member without it). */
export const requirePermissionIn = async (db: Db, serverId: string, userId: string, permission: PermissionName): Promise<Standing> =>
  requireCan(await standingIn(db, serverId, userId), permission);

/** 403 unless the caller owns the server (deleting it stays the owner's, as in Discord). */
export function requireOwner(standing: Standing): Standing {
  if (standing.member.userId !== standing.server.ownerId) throw new AppError("forbidden", "Only the server's owner can do that.");
  return standing;
}

/** 403 unless the caller ranks above `target` (nobody acts on the owner, nor on a peer or someone above them). */
export function requireAbove(standing: Standing, target: Pick<MemberItem, "userId" | "roleIds" | "timeoutUntil">): void {
  if (target.userId === standing.server.ownerId) throw new AppError("forbidden", "Nobody can do that to the server's owner.");
  if (!outranks(standing.server, standing.self, memberGrants(target))) {
    throw new AppError("forbidden", "You can only do that to members whose highest role is below yours.");
  }
}

/** 403 unless a role at `position` is below the caller's highest. */
export function requireRoleBelow(standing: Standing, position: number): void {
  if (!ranksAbove(standing.server, standing.self, position)) throw new AppError("forbidden", "You can only manage roles below your highest role.");
}

/** The caller's membership (404 for anyone else), when nothing but membership is asked. */
export async function requireMember(db: Db, serverId: string, userId: string): Promise<MemberItem> {
  const { data } = await db.entities.members.get({ serverId, userId }).go();
  if (!data) throw new AppError("not_found", "No such server.");
  return data;
}

/**
 * A transaction's check that the server has not been retired (deletion.ts): whatever a write
 * hangs from a server commits before the retirement, where the purge (which starts after) finds
 * it, or not at all, never behind a purge that has already drained its partition.
 */
export const serverNotRetired = (servers: WriteEntities["servers"], serverId: string) =>
  servers.check({ serverId }).where((a, op) => op.exists(a.name)).commit();
