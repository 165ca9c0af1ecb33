import type { Db, MemberItem, ServerItem, UserItem } from "../model/index.ts";
import { foldCase } from "../store/keys.ts";
import { nowIso } from "../store/time.ts";
import { failed, transact } from "../store/transactions.ts";
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
export async function addMember(db: Db, server: ServerItem, user: UserItem, gone: AppError): Promise<MemberItem | null> {
  const membership = newMembership(server, user, "member");
  const codes = await transact(() =>
    db.transaction
      .write(({ members, servers }) => [
        members.create(membership).commit(),
        servers.check({ serverId: server.serverId }).where((a, op) => op.exists(a.name)).commit(),
      ])
      .go(),
  );
  if (failed(codes, 0)) return null;
  if (failed(codes, 1)) throw gone;
  if (codes) throw new Error(`addMember transaction canceled: ${codes.join(",")}`);
  return membership;
}

