import type { Db, MemberItem, WriteEntities } from "../model/index.ts";
import { AppError } from "../errors.ts";

/** The caller's membership, or 404: a non-member may not learn the server exists. */
export async function requireMember(db: Db, serverId: string, userId: string): Promise<MemberItem> {
  const { data } = await db.entities.members.get({ serverId, userId }).go();
  if (!data) throw new AppError("not_found", "No such server.");
  return data;
}

/** Owner-only actions: a member without the role learns the server exists, so 403, not 404. */
export function requireOwner(member: MemberItem | null): MemberItem {
  if (!member) throw new AppError("not_found", "No such server.");
  if (member.role !== "owner") throw new AppError("forbidden", "Only the server's owner can do that.");
  return member;
}

/** Reads the caller's membership and requires the owner's role (404 for a non-member, 403 for a member). */
export async function requireOwnerOf(db: Db, serverId: string, userId: string): Promise<MemberItem> {
  return requireOwner((await db.entities.members.get({ serverId, userId }).go()).data);
}
/**
 * A transaction's check that the server has not been retired (deletion.ts): whatever a write
 * hangs from a server commits before the retirement, where the purge (which starts after) finds
 * it, or not at all, never behind a purge that has already drained its partition.
 */
export const serverNotRetired = (servers: WriteEntities["servers"], serverId: string) =>
  servers.check({ serverId }).where((a, op) => op.exists(a.name)).commit();
