/**
 * Subscribing a connection to a channel (the WebSocket `subscribe` frame with a `channelId`):
 * only a member of the channel's server who can see it (`VIEW_CHANNEL`) may. Anyone else gets
 * `not_found`, as for REST, so a channel id reveals nothing about the server behind it, nor that
 * a private channel exists. The subscription itself is written by realtime/subscriptions.ts.
 */
import type { Db } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { isId } from "../schemas.ts";
import { itemRead } from "../store/batchGet.ts";
import { readTogether } from "../store/readTogether.ts";
import { putSubscription, serverOfChannel } from "../realtime/subscriptions.ts";
import { realtimeLimits, type RealtimeLimits } from "../realtime/limits.ts";
import { rolesRead } from "./grants.ts";
import { mayView } from "./visibility.ts";

/** A permission change landing between the check and the put makes it check again, this many times at most. */
const ATTEMPTS = 5;

/**
 * The permission check reads the membership, the roles item and the channel strongly in one
 * BatchGetItem; the put's transaction then holds only while the roles item is still at the
 * version read (every permission change bumps it), so a member who loses the channel in between
 * is never left subscribed.
 */
export async function subscribe(db: Db, input: { connectionId: string; channelId: string }, limits: RealtimeLimits = realtimeLimits): Promise<void> {
  const notFound = "No such channel.";
  if (!isId(input.channelId)) throw new AppError("not_found", notFound);
  const [connection, serverId] = await Promise.all([
    db.entities.connections.get({ connectionId: input.connectionId }).go({ consistent: true }),
    serverOfChannel(db, input.channelId),
  ]);
  // A connection item outlived by its socket (swept by TTL) has no user left to authorize.
  if (!connection.data) throw new AppError("unauthorized", "This connection is no longer known. Reconnect.");
  if (!serverId) throw new AppError("not_found", notFound);
  const ref = { serverId, channelId: input.channelId, userId: connection.data.userId };
  for (let attempt = 1; ; attempt++) {
    const version = await viewedAt(db, ref);
    if (version === null) throw new AppError("not_found", notFound);
    if (await putSubscription(db, { ...connection.data, channelId: input.channelId, serverId }, notFound, limits, version)) return;
    if (attempt === ATTEMPTS) throw new AppError("internal", "Permissions kept changing while subscribing; try again.");
  }
}

/** The roles version under which the user may see the channel; null when they may not (or are no member, or it is gone). */
async function viewedAt(db: Db, ref: { serverId: string; channelId: string; userId: string }): Promise<number | null> {
  const { member, roles, channel } = await readTogether(
    db,
    {
      member: itemRead(db.entities.members, { serverId: ref.serverId, userId: ref.userId }),
      roles: rolesRead(db, ref.serverId),
      channel: itemRead(db.entities.channels, { serverId: ref.serverId, channelId: ref.channelId }),
    },
    { consistent: true },
  );
  if (!member || !channel || !mayView(roles, channel, member, db.clock.now())) return null;
  return roles?.version ?? 0;
}
