import type { Db, Publisher } from "@agorusta/core";
import { mayAnnouncePresence, realtimeLimits, serversOf } from "@agorusta/core/realtime";

/**
 * `presence` when a user's first connection opens or last one closes, to everyone who shares a
 * server with them (as far as the bounds below allow): from the WebSocket handler (`$connect`/`$disconnect`) and from the publisher
 * (a connection found gone by a 410).
 */
export async function announcePresence(db: Db, publisher: Publisher, userId: string, online: boolean): Promise<void> {
  // Bounded three ways (realtimeLimits): changes per user per minute, servers, connections posted to.
  if (!(await mayAnnouncePresence(db, userId))) return;
  const servers = await serversOf(db, userId, realtimeLimits.presenceServers);
  if (servers.length) {
    await publisher.toServer(servers, { type: "presence", userId, online }, { maxRecipients: realtimeLimits.presenceRecipients });
  }
}
