/**
 * Who is online: a count of open connections on the user item, bumped by `$connect` and
 * `$disconnect`. The count's transitions (0 → 1, 1 → 0) are the `presence` events. A count left
 * behind by a `$disconnect` that never ran (API Gateway delivers it best-effort) stops counting
 * at `onlineUntil`, when API Gateway would have closed that connection anyway.
 */
import type { Db, UserItem } from "../model/index.ts";
import { getEach } from "../store/batches.ts";
import { AppError } from "../errors.ts";
import { isConditionalFailure } from "../store/transactions.ts";
import { realtimeLimits, type RealtimeLimits } from "./limits.ts";
import { epochSeconds } from "../store/time.ts";

/** Whether the user has a connection open at `now` (epoch seconds: `epochSeconds(db.clock)`). */
export const isOnline = (u: Pick<UserItem, "connectionCount" | "onlineUntil"> | undefined | null, now: number) =>
  (u?.connectionCount ?? 0) > 0 && (u?.onlineUntil ?? 0) > now;

/**
 * Counts a new connection; true when it is the user's first (they just came online). The count
 * is also the cap: the update's condition refuses a 21st open connection (`rate_limited`, which
 * `$connect` answers as the handshake's 429), unless the count is stale (see above).
 */
export async function connectionOpened(db: Db, userId: string, until: number, limits: RealtimeLimits = realtimeLimits): Promise<boolean> {
  const now = epochSeconds(db.clock);
  let before: Partial<UserItem> | null;
  try {
    ({ data: before } = await db.entities.users
      .patch({ userId })
      .add({ connectionCount: 1 })
      .set({ onlineUntil: until })
      .where((a, op) =>
        [op.notExists(a.connectionCount), op.lt(a.connectionCount, limits.connectionsPerUser), op.lte(a.onlineUntil, now)].join(" OR "),
      )
      .go({ response: "all_old" }));
  } catch (e) {
    if (!isConditionalFailure(e)) throw e;
    // The user item exists (the token's subject was checked), so the condition is what failed.
    throw new AppError("rate_limited", `At most ${limits.connectionsPerUser} connections may be open at once; close one first.`);
  }
  if (isOnline(before, now)) return false;
  if ((before?.connectionCount ?? 0) > 0) {
    // The old count was stale (its connections are long gone): this connection is the only one.
    await db.entities.users.patch({ userId }).set({ connectionCount: 1 }).go();
  }
  return true;
}

/** Uncounts a closed connection; true when it was the user's last (they just went offline). */
export async function connectionClosed(db: Db, userId: string): Promise<boolean> {
  try {
    const { data } = await db.entities.users
      .patch({ userId })
      .subtract({ connectionCount: 1 })
      .where((a, op) => op.gt(a.connectionCount, 0))
      .go({ response: "all_new" });
    return (data.connectionCount ?? 0) === 0;
  } catch {
    // Already 0 (a stale count reset meanwhile), or the user is gone: nothing to announce.
    return false;
  }
}

/**
 * Whether a presence change of this user may be announced: at most `presencePerMinute` per
 * minute, counted on the user item by conditional updates (a new minute resets the count), so a
 * client connecting and disconnecting in a loop costs its servers a bounded fan-out. A change
 * not announced still shows in the member list, which reads the count itself.
 */
export async function mayAnnouncePresence(db: Db, userId: string, nowMs = db.clock.now()): Promise<boolean> {
  const minute = Math.floor(nowMs / 60_000);
  try {
    await db.entities.users
      .patch({ userId })
      .set({ presenceMinute: minute, presenceAnnounced: 1 })
      .where((a, op) => `${op.notExists(a.presenceMinute)} OR ${op.ne(a.presenceMinute, minute)}`)
      .go({ response: "none" });
    return true;
  } catch (e) {
    if (!isConditionalFailure(e)) throw e;
  }
  try {
    await db.entities.users
      .patch({ userId })
      .add({ presenceAnnounced: 1 })
      .where((a, op) => `${op.eq(a.presenceMinute, minute)} AND ${op.lt(a.presenceAnnounced, realtimeLimits.presencePerMinute)}`)
      .go({ response: "none" });
    return true;
  } catch (e) {
    if (!isConditionalFailure(e)) throw e;
    return false;
  }
}

/** Whether the user is online now, read strongly (what a presence announcement checks after posting). */
export async function isOnlineNow(db: Db, userId: string): Promise<boolean> {
  const { data } = await db.entities.users.get({ userId }).go({ consistent: true, attributes: ["connectionCount", "onlineUntil"] });
  return isOnline(data, epochSeconds(db.clock));
}

/** Presence of many users at once: one BatchGet of their items (100 keys per request). */
export async function onlineUsers(db: Db, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const data = await getEach(
    userIds.map((userId) => ({ userId })),
    (keys) => db.entities.users.get(keys).go({ attributes: ["userId", "connectionCount", "onlineUntil"] }),
  );
  const now = epochSeconds(db.clock);
  return new Set(data.filter((u) => isOnline(u, now)).map((u) => u.userId));
}
