/**
 * Bans (api.md "Sessions and safety"): the owner removes a user and keeps them out. The ban item
 * is keyed like the membership, and every join transaction checks it does not exist
 * (joining.ts `notBanned`), so no join can slip in after a ban, however close they race.
 */
import type { BanItem, Db, MemberItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { nowIso } from "../store/time.ts";
import { requirePermission, requirePermissionIn } from "./access.ts";
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
 * Needs `ban_members`, over the user when they are a member. Bans a user, member or not (a known troublemaker can be kept out before they come),
 * and removes their membership as a kick does. The ban is written first and the membership
 * removed after, so a join racing the ban either fails on it or is removed here. Banning again
 * updates the reason. True when a membership was removed (the caller announces `member_left`).
 */
export async function banUser(
  db: Db,
  input: { serverId: string; actorId: string; userId: string; reason?: string | null | undefined },
): Promise<{ removed: (MemberItem & { listeners: string[] }) | null }> {
  const { serverId, actorId, userId } = input;
  if (userId === actorId) {
    await requirePermissionIn(db, serverId, actorId, "ban_members");
    throw new AppError("invalid_request", "You cannot ban yourself; delete the server instead.");
  }
  const [actor, target, user] = await Promise.all([
    db.entities.members.get({ serverId, userId: actorId }).go(),
    db.entities.members.get({ serverId, userId }).go({ attributes: ["role"] }),
    db.entities.users.get({ userId }).go({ attributes: ["userId", "username", "createdAt"] }),
  ]);
  requirePermission(actor.data, "ban_members", target.data);
  if (!user.data) throw new AppError("not_found", "No such user.");
  const reason = input.reason?.trim();
  await db.entities.bans
    .put({
      serverId,
      userId,
      username: user.data.username,
      userCreatedAt: user.data.createdAt,
      bannedBy: actorId,
      createdAt: nowIso(db.clock),
      ...(reason ? { reason } : {}),
    })
    .go();
  return { removed: await removeMember(db, serverId, userId) };
}

/** Needs `ban_members`; the user may join again (with a valid invite or password). */
export async function unbanUser(db: Db, input: { serverId: string; actorId: string; userId: string }): Promise<void> {
  const { serverId, actorId, userId } = input;
  const [actor, ban] = await Promise.all([
    db.entities.members.get({ serverId, userId: actorId }).go(),
    db.entities.bans.get({ serverId, userId }).go({ attributes: ["userId"] }),
  ]);
  requirePermission(actor.data, "ban_members");
  if (!ban.data) throw new AppError("not_found", "This user is not banned.");
  await db.entities.bans.delete({ serverId, userId }).go();
}

/**
 * Needs `ban_members`; in user id order. One Query of the server's partition (bans share it with the
 * members), then the banned users' current avatars (one BatchGetItem per 100), as every `User`
 * the API shows carries (the ban copies only the user's immutable facts).
 */
export async function listBans(stores: Stores, serverId: string, actorId: string): Promise<Ban[]> {
  const { db } = stores;
  const [, bans] = await Promise.all([
    requirePermissionIn(db, serverId, actorId, "ban_members"),
    db.entities.bans.query.byServer({ serverId }).go({ pages: "all" }),
  ]);
  const avatars = await avatarUrls(stores, bans.data.map((b) => b.userId));
  return bans.data.map((b) => banView(b, avatars.get(b.userId) ?? null));
}
