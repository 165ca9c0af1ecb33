import type { Db, MemberItem, WriteEntities } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { can, type Action, type Actor } from "../permissions/policy.ts";

/** The caller's membership, or 404: a non-member may not learn the server exists. */
export async function requireMember(db: Db, serverId: string, userId: string): Promise<MemberItem> {
  const { data } = await db.entities.members.get({ serverId, userId }).go();
  if (!data) throw new AppError("not_found", "No such server.");
  return data;
}

/**
 * The caller's membership, if the policy lets it do `action` (to `target`, when it names a
 * member): 404 for a non-member, who may not learn the server exists; 403 for a member, who
 * knows it does. Today only the owner holds the moderating powers, hence the sentence.
 */
export function requirePermission(member: MemberItem | null | undefined, action: Action, target?: Actor | null): MemberItem {
  if (!member) throw new AppError("not_found", "No such server.");
  if (!can(member, action)) throw new AppError("forbidden", "Only the server's owner can do that.");
  if (target && !can(member, action, target)) throw new AppError("forbidden", "You cannot do that to a member ranked at or above you.");
  return member;
}

/** Reads the caller's membership and requires `action` of it (404 for a non-member, 403 for a member without it). */
export async function requirePermissionIn(db: Db, serverId: string, userId: string, action: Action): Promise<MemberItem> {
  return requirePermission((await db.entities.members.get({ serverId, userId }).go()).data, action);
}

/**
 * A transaction's check that the server has not been retired (deletion.ts): whatever a write
 * hangs from a server commits before the retirement, where the purge (which starts after) finds
 * it, or not at all, never behind a purge that has already drained its partition.
 */
export const serverNotRetired = (servers: WriteEntities["servers"], serverId: string) =>
  servers.check({ serverId }).where((a, op) => op.exists(a.name)).commit();
