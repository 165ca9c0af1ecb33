import type { Db, MemberItem, ServerItem, UserItem } from "./model/index.ts";
import { AppError } from "./errors.ts";
import { foldCase } from "./keys.ts";
import { nowIso } from "./time.ts";
import type { Role } from "./views.ts";

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

/** A membership item, with the immutable facts of server and user copied in. */
export function newMembership(server: ServerItem, user: UserItem, role: Role): MemberItem {
  return {
    serverId: server.serverId,
    userId: user.userId,
    role,
    roleRank: role === "owner" ? "0" : "1",
    joinedAt: nowIso(),
    username: user.username,
    usernameLower: foldCase(user.username),
    userCreatedAt: user.createdAt,
    serverName: server.name,
    serverOwnerId: server.ownerId,
    serverCreatedAt: server.createdAt,
  };
}

/**
 * Adds the user to the server unless already there. The put is conditional, so two joins racing
 * each other leave one membership. Returns the new membership, or null when the user was
 * already a member.
 */
export async function addMember(db: Db, server: ServerItem, user: UserItem): Promise<MemberItem | null> {
  const membership = newMembership(server, user, "member");
  try {
    await db.entities.members.create(membership).go();
    return membership;
  } catch (e) {
    if (isConditionalFailure(e)) return null;
    throw e;
  }
}

/** ElectroDB wraps the SDK's ConditionalCheckFailedException; look through the wrapping. */
export function isConditionalFailure(e: unknown): boolean {
  for (let err: any = e; err; err = err.cause) {
    if (err.name === "ConditionalCheckFailedException" || err.code === "ConditionalCheckFailedException") return true;
    if (typeof err.message === "string" && err.message.includes("The conditional request failed")) return true;
  }
  return false;
}
