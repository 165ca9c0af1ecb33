import type { Db, MemberItem, ServerItem, UserItem } from "../model/index.ts";
import { foldCase } from "../store/keys.ts";
import { nowIso } from "../store/time.ts";
import { isConditionalFailure } from "../store/transactions.ts";
import type { Role } from "../views.ts";

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
