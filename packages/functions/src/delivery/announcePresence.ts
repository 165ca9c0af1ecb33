import type { Db, Publisher } from "@agorusta/core";
import { serversOf } from "@agorusta/core/realtime";

/**
 * `presence` when a user's first connection opens or last one closes, to everyone who shares a
 * server with them: from the WebSocket handler (`$connect`/`$disconnect`) and from the publisher
 * (a connection found gone by a 410).
 */
export async function announcePresence(db: Db, publisher: Publisher, userId: string, online: boolean): Promise<void> {
  const servers = await serversOf(db, userId);
  if (servers.length) await publisher.toServer(servers, { type: "presence", userId, online });
}
