import type { Db, Publisher } from "@agorusta/core";
import { isOnlineNow, mayAnnouncePresence, realtimeLimits, serversOf } from "@agorusta/core/realtime";

/**
 * `presence` when a user's first connection opens or last one closes, to everyone who shares a
 * server with them (as far as the bounds below allow): from the WebSocket handler (`$connect`/`$disconnect`) and from the publisher
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
  // Bounded three ways (realtimeLimits): changes per user per minute, servers, connections posted to.
  if (!(await mayAnnouncePresence(db, userId))) return;
  const servers = await serversOf(db, userId, realtimeLimits.presenceServers);
  if (!servers.length) return;
  const tell = (online: boolean) => publisher.toServer(servers, { type: "presence", userId, online }, { maxRecipients: realtimeLimits.presenceRecipients });
  await tell(online);
  const now = await isOnlineNow(db, userId);
  if (now !== online) await tell(now);
}
