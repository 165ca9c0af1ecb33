import type { Db, MemberItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { requireAbove, requireCan, requireMember, requirePermissionIn, standingWith } from "./access.ts";
import { mayLeave } from "../permissions/policy.ts";
import { itemRead } from "../store/batchGet.ts";
import { transact } from "../store/transactions.ts";
import { auditWrite, type AuditContext } from "../audit/log.ts";
import { revokeInvitesOf } from "./invites.ts";
import { isOnline } from "../realtime/presence.ts";
import { dropSubscriptions } from "../realtime/subscriptions.ts";
import { epochSeconds } from "../store/time.ts";
import { getEach } from "../store/batches.ts";
import { imageUrlOf, type Stores } from "../attachments/files.ts";
import { presentEach } from "../attachments/present.ts";
import { memberView, type Member } from "../views.ts";
import { memberRolesView } from "./memberUpdates.ts";

/** Above every roster key: role ranks are digits and usernames are `[a-z0-9_.-]`. */
const ROSTER_END = { roleRank: "9", usernameLower: "~" };

/**
 * The roster, owner first, then by username: one Query of the roster index (its key is
 * role rank + lower-cased username) and one BatchGet for who is online and their avatars. `after` is the last
 * user id of the previous page; its membership gives the key to resume from.
 */
export async function listMembers(
  { db, files }: Stores,
  input: { serverId: string; userId: string; limit: number; after?: string | undefined },
): Promise<Member[]> {
  // The caller's membership, the server's roles (to show each member's) and the cursor's membership: one BatchGetItem.
  const { standing, found } = await standingWith(db, input.serverId, input.userId, {
    after: input.after ? itemRead(db.entities.members, { serverId: input.serverId, userId: input.after }) : undefined,
  });
  const cursor = input.after ? { data: found.after as MemberItem | null } : null;
  if (input.after && !cursor?.data) throw new AppError("invalid_request", "after must be the id of a member of this server.");
  const from = cursor?.data ? { roleRank: cursor.data.roleRank, usernameLower: cursor.data.usernameLower } : { roleRank: "0", usernameLower: "" };
  // BETWEEN keeps the Query to roster keys: the server's subscriptions share this index partition.
  const { data } = await db.entities.members.query
    .roster({ serverId: input.serverId })
    .between(from, ROSTER_END)
    .go({ limit: input.limit + 1 });
  const page = data.filter((m) => m.userId !== input.after).slice(0, input.limit);
  const byId = await presenceAndAvatars({ db, files }, page.map((m) => m.userId));
  // One membership that cannot be shown is left out (logged), not the roster: issue 21.
  return presentEach(
    page,
    (m) => ({ ...memberView(m, byId.get(m.userId)?.online ?? false, byId.get(m.userId)?.avatarUrl ?? null), ...memberRolesView(m, standing.rolesItem, db.clock.now()) }),
    (m) => `member ${m.userId} of ${input.serverId}`,
  );
}

/** Who of these users is online, and their avatars: one BatchGet of their items (100 to a request). */
async function presenceAndAvatars({ db, files }: Stores, userIds: string[]) {
  const users = await getEach(
    userIds.map((userId) => ({ userId })),
    (keys) => db.entities.users.get(keys).go({ attributes: ["userId", "connectionCount", "onlineUntil", "avatarKey"] }),
  );
  const now = epochSeconds(db.clock);
  return new Map(await Promise.all(users.map(async (u) => [u.userId, { online: isOnline(u, now), avatarUrl: await imageUrlOf(files, u.avatarKey) }] as const)));
}

/**
 * One member, as the roster shows them (a profile card in a server too large for its roster to
 * be loaded whole): the caller's membership and theirs, read together, then their user item.
 * Not a member: 404, whether the caller's or theirs is missing.
 */
export async function getMember(stores: Stores, input: { serverId: string; userId: string; memberId: string }): Promise<Member> {
  const { db } = stores;
  const [, target] = await Promise.all([
    requireMember(db, input.serverId, input.userId),
    db.entities.members.get({ serverId: input.serverId, userId: input.memberId }).go(),
  ]);
  if (!target.data) throw new AppError("not_found", "No such member.");
  const user = (await presenceAndAvatars(stores, [input.memberId])).get(input.memberId);
  return memberView(target.data, user?.online ?? false, user?.avatarUrl ?? null);
}

/**
 * Removes a membership. Deleting it returns, read consistently, the connections that subscribed
 * under it (the subscribe transaction records each on it, and none can subscribe once it is
 * gone), so this finds every socket of the user that listens to the server, however recently it
 * subscribed: their subscriptions to the server are deleted here, and the caller closes them
 * (`announceLeave`), so that whatever else they listened to they must subscribe to again, each
 * under the membership check. The invites made under the membership are revoked. Returns the deleted membership, `listeners` included, or null when
 * there was none (a ban of someone who is not a member).
 */
export async function removeMember(
  db: Db,
  serverId: string,
  userId: string,
  audit?: AuditContext & { action: "member_kick" },
): Promise<(MemberItem & { listeners: string[] }) | null> {
  const removed = audit ? await deleteAudited(db, serverId, userId, audit) : (await db.entities.members.delete({ serverId, userId }).go({ response: "all_old" })).data;
  if (!removed) return null;
  // Their invites stop admitting at once (the join checks their membership); these go too.
  if (removed.invitesMade) await revokeInvitesOf(db, serverId, userId);
  const listeners = removed.listeners ?? [];
  const subscriptions = await Promise.all(
    listeners.map((connectionId) => db.entities.subscriptions.query.byConnection({ connectionId }).go({ pages: "all" })),
  );
  const keys = subscriptions
    .flatMap((s) => s.data)
    .filter((s) => s.serverId === serverId)
    .map(({ channelId, connectionId }) => ({ channelId, connectionId }));
  await dropSubscriptions(db, keys);
  return { ...removed, listeners };
}

/**
 * Deletes a membership with its audit entry in one transaction. A transaction cannot hand back
 * the item it deleted, so the membership is read (strongly) first and the delete is conditioned on
 * its `listeners` being exactly those read (same size, each of them in it): a socket that
 * subscribed in between makes it read again, so no listener is left open behind a kick.
 */
async function deleteAudited(db: Db, serverId: string, userId: string, audit: AuditContext & { action: "member_kick" }): Promise<MemberItem | null> {
  for (;;) {
    const { data } = await db.entities.members.get({ serverId, userId }).go({ consistent: true });
    if (!data) return null;
    const listeners = data.listeners ?? [];
    const refused = await transact(db, (e) => ({
      member: e.members
        .delete({ serverId, userId })
        .where((a, op) =>
          listeners.length
            ? [`${op.size(a.listeners)} = ${op.escape(listeners.length)}`, ...listeners.map((id) => op.contains(a.listeners, id))].join(" AND ")
            : `${op.exists(a.joinedAt)} AND ${op.notExists(a.listeners)}`,
        )
        .commit(),
      audit: auditWrite(db, e, { serverId, ...audit, targetId: userId }),
    }));
    if (!refused.size) return data;
  }
}

/** Leave a server; its owner cannot (they delete it instead). */
export async function leaveServer(db: Db, serverId: string, userId: string): Promise<{ listeners: string[] }> {
  const member = await requireMember(db, serverId, userId);
  if (!mayLeave(member)) throw new AppError("owner_cannot_leave");
  return removedOrNotFound(await removeMember(db, serverId, userId));
}

/**
 * Removes a member ranked below the caller (who needs `KICK_MEMBERS`), audited; they may come
 * back with a valid invite or password.
 */
export async function kickMember(
  db: Db,
  serverId: string,
  actorId: string,
  userId: string,
  reason?: string | null,
): Promise<MemberItem & { listeners: string[] }> {
  if (userId === actorId) {
    await requirePermissionIn(db, serverId, actorId, "KICK_MEMBERS");
    throw new AppError("invalid_request", "You cannot kick yourself; leave the server instead.");
  }
  const { standing, found } = await standingWith(db, serverId, actorId, { target: itemRead(db.entities.members, { serverId, userId }) });
  requireCan(standing, "KICK_MEMBERS");
  if (!found.target) throw new AppError("not_found", "No such member.");
  requireAbove(standing, found.target);
  return removedOrNotFound(await removeMember(db, serverId, userId, { actorId, reason, action: "member_kick" }));
}

/** A membership that vanished between the check and the delete (a concurrent leave) is as good as none. */
function removedOrNotFound<T>(removed: T | null): T {
  if (!removed) throw new AppError("not_found", "No such member.");
  return removed;
}
