/**
 * What a connection listens to: subscribe (members only, checked in the same transaction as the
 * put), unsubscribe, and the check that a connection may send to a channel it watches.
 *
 * A whole-server subscription (api.md "WebSocket: whole servers") is a subscription item whose
 * `channelId` is the server's own id (ids are ULIDs, so no channel has it). It is therefore
 * found, like any subscription, by the server (gsi2: server-level events), by its connection
 * (cleanup at `$disconnect`) and by a leave or kick (which deletes the leaver's subscriptions
 * to the server), and its "channel" partition is where `channel_activity` fans out from.
 */
import type { Db } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { assertCommitted, transact } from "../store/transactions.ts";

/**
 * Subscribes a connection to a channel. Only a member of the channel's server may: anyone else
 * gets `not_found`, as for REST, so a channel id reveals nothing about the server behind it.
 */
export async function subscribe(db: Db, input: { connectionId: string; channelId: string }): Promise<void> {
  const [connection, serverId] = await Promise.all([
    db.entities.connections.get({ connectionId: input.connectionId }).go({ consistent: true }),
    serverOfChannel(db, input.channelId),
  ]);
  // A connection item outlived by its socket (swept by TTL) has no user left to authorize.
  if (!connection.data) throw new AppError("unauthorized", "This connection is no longer known. Reconnect.");
  if (!serverId) throw new AppError("not_found", "No such channel.");
  await putSubscription(db, { ...connection.data, channelId: input.channelId, serverId }, "No such channel.");
}

/** Subscribes a connection to a whole server: members only, as for a channel. */
export async function subscribeServer(db: Db, input: { connectionId: string; serverId: string }): Promise<void> {
  const { data: connection } = await db.entities.connections.get({ connectionId: input.connectionId }).go({ consistent: true });
  if (!connection) throw new AppError("unauthorized", "This connection is no longer known. Reconnect.");
  await putSubscription(db, { ...connection, channelId: input.serverId, serverId: input.serverId }, "No such server.");
}

/** Idempotent, like a channel's. */
export async function unsubscribeServer(db: Db, input: { connectionId: string; serverId: string }): Promise<void> {
  await unsubscribe(db, { connectionId: input.connectionId, channelId: input.serverId });
}

async function putSubscription(
  db: Db,
  input: { connectionId: string; userId: string; ttl?: number | undefined; channelId: string; serverId: string },
  notFound: string,
): Promise<void> {
  const { connectionId, userId, ttl, channelId, serverId } = input;
  // The membership is checked in the same transaction as the put: a kick that lands between
  // a separate check and the put would otherwise leave the kicked user listening.
  const refused = await transact(db, ({ members, subscriptions }) => ({
    membership: members.check({ serverId, userId }).where((a, op) => op.exists(a.role)).commit(),
    subscription: subscriptions
      .put({ channelId, connectionId, serverId, userId, ...(ttl !== undefined ? { ttl } : {}) })
      .commit(),
  }));
  if (refused.has("membership")) throw new AppError("not_found", notFound);
  assertCommitted(refused, "subscribe");
}

/**
 * The server a channel belongs to, from the channel-id index. That index lags a new channel by
 * up to about a second, so a miss is asked again twice before it counts as "no such channel".
 */
async function serverOfChannel(db: Db, channelId: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const { data } = await db.entities.channels.query.byId({ channelId }).go({ limit: 1 });
    if (data[0] || attempt === 2) return data[0]?.serverId;
    await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
  }
}

/** Idempotent: unsubscribing from a channel one never subscribed to changes nothing. */
export async function unsubscribe(db: Db, input: { connectionId: string; channelId: string }): Promise<void> {
  await db.entities.subscriptions.delete({ channelId: input.channelId, connectionId: input.connectionId }).go();
}

/** A connection may send `typing` to a channel it is subscribed to (which it could only do as a member). */
export async function subscriberOf(db: Db, connectionId: string, channelId: string) {
  const { data } = await db.entities.subscriptions.get({ channelId, connectionId }).go({ consistent: true });
  // A whole-server subscription is not one to a channel: nobody types into a server.
  if (!data || data.channelId === data.serverId) throw new AppError("not_found", "Subscribe to the channel first.");
  return data;
}
