/**
 * Who is online: a count of open connections on the user item, bumped by `$connect` and
 * `$disconnect`. The count's transitions (0 → 1, 1 → 0) are the `presence` events. A count left
 * behind by a `$disconnect` that never ran (API Gateway delivers it best-effort) stops counting
 * at `onlineUntil`, when API Gateway would have closed that connection anyway.
 */
import type { Db, UserItem } from "../model/index.ts";
import { getEach } from "../store/batches.ts";

const nowSeconds = () => Math.floor(Date.now() / 1000);

export const isOnline = (u: Pick<UserItem, "connectionCount" | "onlineUntil"> | undefined | null, now = nowSeconds()) =>
  (u?.connectionCount ?? 0) > 0 && (u?.onlineUntil ?? 0) > now;

/** Counts a new connection; true when it is the user's first (they just came online). */
export async function connectionOpened(db: Db, userId: string, until: number): Promise<boolean> {
  const { data: before } = await db.entities.users
    .patch({ userId })
    .add({ connectionCount: 1 })
    .set({ onlineUntil: until })
    .go({ response: "all_old" });
  if (isOnline(before)) return false;
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

/** Presence of many users at once: one BatchGet of their items (100 keys per request). */
export async function onlineUsers(db: Db, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const data = await getEach(
    userIds.map((userId) => ({ userId })),
    (keys) => db.entities.users.get(keys).go({ attributes: ["userId", "connectionCount", "onlineUntil"] }),
  );
  const now = nowSeconds();
  return new Set(data.filter((u) => isOnline(u, now)).map((u) => u.userId));
}
