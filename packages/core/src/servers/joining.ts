import type { Db, MemberItem, ServerItem, UserItem, WriteEntities } from "../model/index.ts";
import { nowIso, type Clock } from "../store/time.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { AppError } from "../errors.ts";
import { serverNotRetired } from "./access.ts";
import type { Role } from "../permissions/policy.ts";

/**
 * A membership item, with the immutable facts of server and user copied in (its roster keys,
 * `roleRank` and `usernameLower`, are derived by the entity as it is written).
 */
export function newMembership(clock: Clock, server: ServerItem, user: UserItem, role: Role): MemberItem {
  return {
    serverId: server.serverId,
    userId: user.userId,
    role,
    joinedAt: nowIso(clock),
    username: user.username,
    userCreatedAt: user.createdAt,
    ...(user.bot ? { bot: true } : {}),
    serverName: server.name,
    serverOwnerId: server.ownerId,
    serverCreatedAt: server.createdAt,
  };
}

/**
 * Adds the user to the server unless already there or banned. The put is conditional, so two
 * joins racing each other leave one membership; it is in one transaction with the check that no
 * ban exists (a ban that lands first always wins) and that the server still exists (a join racing
 * the server's deletion leaves no membership behind the purge). Returns the new membership, or
 * null when the user was already a member; `banned` (403) for a banned user, `gone` when the
 * server was deleted.
 */
export async function addMember(
  db: Db,
  server: ServerItem,
  user: UserItem,
  gone = new AppError("not_found", "No such server."),
): Promise<MemberItem | null> {
  const membership = newMembership(db.clock, server, user, "member");
  const refused = await transact(db, ({ members, servers, bans }) => ({
    notBanned: notBanned(bans, server.serverId, user.userId),
    membership: members.create(membership).commit(),
    server: serverNotRetired(servers, server.serverId),
  }));
  if (refused.has("notBanned")) throw new AppError("banned");
  if (refused.has("membership")) return null;
  if (refused.has("server")) throw gone;
  assertCommitted(refused, "addMember");
  return membership;
}

type BanEntity = WriteEntities["bans"];

/** A join transaction's check that the user is not banned from the server (the ban's key is the membership's). */
export const notBanned = (bans: BanEntity, serverId: string, userId: string) =>
  bans.check({ serverId, userId }).where((a, op) => op.notExists(a.userId)).commit();
