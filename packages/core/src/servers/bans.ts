/**
 * Bans (api.md "Sessions and safety"): the owner removes a user and keeps them out. The ban item
 * is keyed like the membership, and every join transaction checks it does not exist
 * (joining.ts `notBanned`), so no join can slip in after a ban, however close they race.
 */
import type { BanItem, Db, MemberItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { nowIso } from "../store/time.ts";
import { requireAbove, requireCan, requirePermissionIn, standingWith } from "./access.ts";
import { itemRead } from "../store/batchGet.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { auditWrite, type AuditContext } from "../audit/log.ts";
import { removeMember } from "./roster.ts";
import { userView, type User } from "../views.ts";
import type { Stores } from "../attachments/files.ts";
import { avatarUrls } from "../attachments/present.ts";

export interface Ban {
  user: User;
  reason: string | null;
  createdAt: string;
}

const banView = (b: BanItem, avatarUrl: string | null): Ban => ({
  user: userView({ userId: b.userId, username: b.username, createdAt: b.userCreatedAt }, avatarUrl),
  reason: b.reason ?? null,
  createdAt: b.createdAt,
});

/**
 * Needs `BAN_MEMBERS`, and to rank above the user when they are a member; audited. Bans a user, member or not (a known troublemaker can be kept out before they come),
 * and removes their membership as a kick does. The ban is written first and the membership
 * removed after, so a join racing the ban either fails on it or is removed here. Banning again
 * updates the reason. True when a membership was removed (the caller announces `member_left`).
 */
export async function banUser(
  db: Db,
  input: { serverId: string; actorId: string; userId: string; reason?: string | null | undefined; auditReason?: string | null | undefined },
): Promise<{ removed: (MemberItem & { listeners: string[] }) | null }> {
  const { serverId, actorId, userId } = input;
  if (userId === actorId) {
    await requirePermissionIn(db, serverId, actorId, "BAN_MEMBERS");
    throw new AppError("invalid_request", "You cannot ban yourself; leave the server instead.");
  }
  const { standing, found } = await standingWith(db, serverId, actorId, {
    target: itemRead(db.entities.members, { serverId, userId }),
    user: itemRead(db.entities.users, { userId }),
  });
  requireCan(standing, "BAN_MEMBERS");
  if (found.target) requireAbove(standing, found.target);
  const user = { data: found.user };
  if (!user.data) throw new AppError("not_found", "No such user.");
  const reason = input.reason?.trim();
  const refused = await transact(db, (e) => ({
    ban: e.bans
      .put({
        serverId,
        userId,
        username: user.data!.username,
        userCreatedAt: user.data!.createdAt,
        bannedBy: actorId,
        createdAt: nowIso(db.clock),
        ...(reason ? { reason } : {}),
      })
      .commit(),
    // The ban's own reason is the entry's unless the header gives one (Discord takes the header).
    audit: auditWrite(db, e, { serverId, actorId, action: "member_ban_add", targetId: userId, reason: input.auditReason ?? (reason || null) }),
  }));
  assertCommitted(refused, "banUser");
  return { removed: await removeMember(db, serverId, userId) };
}

/** Needs `BAN_MEMBERS`; audited. The user may join again (with a valid invite or password). */
export async function unbanUser(db: Db, input: { serverId: string; userId: string } & AuditContext): Promise<void> {
  const { serverId, actorId, userId } = input;
  const { standing, found } = await standingWith(db, serverId, actorId, { ban: itemRead(db.entities.bans, { serverId, userId }) });
  requireCan(standing, "BAN_MEMBERS");
  if (!found.ban) throw new AppError("not_found", "This user is not banned.");
  const refused = await transact(db, (e) => ({
    ban: e.bans.delete({ serverId, userId }).where((a, op) => op.exists(a.userId)).commit(),
    audit: auditWrite(db, e, { serverId, actorId, action: "member_ban_remove", targetId: userId, reason: input.reason }),
  }));
  if (refused.has("ban")) throw new AppError("not_found", "This user is not banned.");
  assertCommitted(refused, "unbanUser");
}

/**
 * Needs `BAN_MEMBERS`; in user id order. One Query of the server's partition (bans share it with the
 * members), then the banned users' current avatars (one BatchGetItem per 100), as every `User`
 * the API shows carries (the ban copies only the user's immutable facts).
 */
export async function listBans(stores: Stores, serverId: string, actorId: string): Promise<Ban[]> {
  const { db } = stores;
  const [, bans] = await Promise.all([
    requirePermissionIn(db, serverId, actorId, "BAN_MEMBERS"),
    db.entities.bans.query.byServer({ serverId }).go({ pages: "all" }),
  ]);
  const avatars = await avatarUrls(stores, bans.data.map((b) => b.userId));
  return bans.data.map((b) => banView(b, avatars.get(b.userId) ?? null));
}
