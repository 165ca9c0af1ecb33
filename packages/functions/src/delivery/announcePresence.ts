import type { Db, Publisher, ServerEvent } from "@agorusta/core";
import type { User } from "@agorusta/core/views";
import { isOnlineNow, mayAnnouncePresence, presenceAudience, realtimeLimits } from "@agorusta/core/realtime";

/**
 * `presence` when a user's first connection opens or last one closes, to everyone who shares a
 * server or a direct conversation with them (as far as the bounds below allow): from the WebSocket handler (`$connect`/`$disconnect`) and from the publisher
 * (a connection found gone by a 410).
 *
 * A reload closes one connection and opens another: the two changes (offline, online) are
 * announced by two handlers at once, and their posts may land in either order, which would leave
 * listeners with the older one for good. So once its post has gone out, an announcement reads the
 * user's state again, and if another change came meanwhile, tells that too: the last post a
 * listener gets is then never older than the last change (docs/decisions.md, "Unread and presence
 * tell the truth").
 */
export async function announcePresence(db: Db, publisher: Publisher, userId: string, online: boolean): Promise<void> {
  // Bounded four ways (realtimeLimits): changes per user per minute, servers, DM partners, connections posted to.
  if (!(await mayAnnouncePresence(db, userId))) return;
  const tell = (online: boolean) => toPresenceAudience(db, publisher, userId, { type: "presence", userId, online });
  await tell(online);
  const now = await isOnlineNow(db, userId);
  if (now !== online) await tell(now);
}

/**
 * `user_updated` when a user's public facts change (their avatar), to the same people presence
 * reaches, and to the user's own other connections (their other tabs and devices).
 */
export async function announceUserUpdated(db: Db, publisher: Publisher, user: User): Promise<void> {
  await toPresenceAudience(db, publisher, user.id, { type: "user_updated", user }, [user.id]);
}

/**
 * The presence audience (core `presenceAudience`): the listeners of the user's servers, bounded
 * to `presenceRecipients` connections, and every connection of their recent DM partners (and
 * of `also`), each connection once.
 */
async function toPresenceAudience(db: Db, publisher: Publisher, userId: string, event: ServerEvent, also: string[] = []): Promise<void> {
  const { serverIds, userIds } = await presenceAudience(db, userId, realtimeLimits);
  const alsoUserIds = [...new Set([...userIds, ...also])];
  if (serverIds.length || alsoUserIds.length) {
    await publisher.toServer(serverIds, event, { alsoUserIds, maxRecipients: realtimeLimits.presenceRecipients });
  }
}
