import type { Db, MemberItem, ServerItem, UserItem } from "../model/index.ts";
import { foldCase } from "../store/keys.ts";
import { nowIso } from "../store/time.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { AppError } from "../errors.ts";
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
 * each other leave one membership, and it commits only while the server exists, so a join racing
 * the server's deletion leaves no membership behind the purge. Returns the new membership, or
 * null when the user was already a member; `gone` is thrown when the server was deleted.
 */
export async function addMember(
  db: Db,
  server: ServerItem,
  user: UserItem,
  gone = new AppError("not_found", "No such server."),
): Promise<MemberItem | null> {
  const membership = newMembership(server, user, "member");
  const refused = await transact(db, ({ members, servers }) => ({
    membership: members.create(membership).commit(),
    server: servers.check({ serverId: server.serverId }).where((a, op) => op.exists(a.name)).commit(),
  }));
  if (refused.has("membership")) return null;
  if (refused.has("server")) throw gone;
  assertCommitted(refused, "addMember");
  return membership;
}

