import type { Db, MemberItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { requireMember, requireOwner, requireOwnerOf } from "./access.ts";
import { isOnline } from "../realtime/presence.ts";
import { audienceChanged } from "../realtime/audiences.ts";
import { deleteEach, getEach } from "../store/batches.ts";
import { imageUrlOf, type Stores } from "../attachments/files.ts";
import { presentEach } from "../attachments/present.ts";
import { memberView, type Member } from "../views.ts";

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
  const [, cursor] = await Promise.all([
    requireMember(db, input.serverId, input.userId),
    input.after ? db.entities.members.get({ serverId: input.serverId, userId: input.after }).go() : null,
  ]);
  if (input.after && !cursor?.data) throw new AppError("invalid_request", "after must be the id of a member of this server.");
  const from = cursor?.data ? { roleRank: cursor.data.roleRank, usernameLower: cursor.data.usernameLower } : { roleRank: "0", usernameLower: "" };
  // BETWEEN keeps the Query to roster keys: the server's subscriptions share this index partition.
  const { data } = await db.entities.members.query
    .roster({ serverId: input.serverId })
    .between(from, ROSTER_END)
    .go({ limit: input.limit + 1 });
  const page = data.filter((m) => m.userId !== input.after).slice(0, input.limit);
  const users = await getEach(
    page.map((m) => ({ userId: m.userId })),
    (keys) => db.entities.users.get(keys).go({ attributes: ["userId", "connectionCount", "onlineUntil", "avatarKey"] }),
  );
  const byId = new Map(await Promise.all(users.map(async (u) => [u.userId, { online: isOnline(u), avatarUrl: await imageUrlOf(files, u.avatarKey) }] as const)));
  // One membership that cannot be shown is left out (logged), not the roster: issue 21.
  return presentEach(
    page,
    (m) => memberView(m, byId.get(m.userId)?.online ?? false, byId.get(m.userId)?.avatarUrl ?? null),
    (m) => `member ${m.userId} of ${input.serverId}`,
  );
}

/**
 * Removes a membership. Deleting it returns, read consistently, the connections that subscribed
 * under it (the subscribe transaction records each on it, and none can subscribe once it is
 * gone), so this finds every socket of the user that listens to the server, however recently it
 * subscribed: their subscriptions to the server are deleted here, and the caller closes them
 * (`announceLeave`), so that whatever else they listened to they must subscribe to again, each
 * under the membership check. Returns the deleted membership, `listeners` included, or null when
 * there was none (a ban of someone who is not a member).
 */
export async function removeMember(db: Db, serverId: string, userId: string): Promise<(MemberItem & { listeners: string[] }) | null> {
  const { data: removed } = await db.entities.members.delete({ serverId, userId }).go({ response: "all_old" });
  if (!removed) return null;
  const listeners = removed.listeners ?? [];
  const subscriptions = await Promise.all(
    listeners.map((connectionId) => db.entities.subscriptions.query.byConnection({ connectionId }).go({ pages: "all" })),
  );
  const keys = subscriptions
    .flatMap((s) => s.data)
    .filter((s) => s.serverId === serverId)
    .map(({ channelId, connectionId }) => ({ channelId, connectionId }));
  await deleteEach(keys, (batch) => db.entities.subscriptions.delete(batch).go());
  await audienceChanged(db, keys.map((k) => k.channelId));
  return { ...removed, listeners };
}

/** Leave a server; its owner cannot (they delete it instead). */
export async function leaveServer(db: Db, serverId: string, userId: string): Promise<{ listeners: string[] }> {
  const member = await requireMember(db, serverId, userId);
  if (member.role === "owner") throw new AppError("owner_cannot_leave");
  return removedOrNotFound(await removeMember(db, serverId, userId));
}

/** The owner removes a member; they may come back with a valid invite or password. */
export async function kickMember(
  db: Db,
  serverId: string,
  ownerId: string,
  userId: string,
): Promise<MemberItem & { listeners: string[] }> {
  if (userId === ownerId) {
    await requireOwnerOf(db, serverId, ownerId);
    throw new AppError("invalid_request", "You cannot kick yourself; delete the server instead.");
  }
  const [owner, target] = await Promise.all([
    db.entities.members.get({ serverId, userId: ownerId }).go(),
    db.entities.members.get({ serverId, userId }).go(),
  ]);
  requireOwner(owner.data);
  if (!target.data) throw new AppError("not_found", "No such member.");
  return removedOrNotFound(await removeMember(db, serverId, userId));
}

/** A membership that vanished between the check and the delete (a concurrent leave) is as good as none. */
function removedOrNotFound<T>(removed: T | null): T {
  if (!removed) throw new AppError("not_found", "No such member.");
  return removed;
}
