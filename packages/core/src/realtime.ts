/**
 * Who is connected and who listens to what: the WebSocket connections and their channel
 * subscriptions, and the recipient lists the publisher fans events out to. No transport here:
 * the handler and the publisher (packages/functions) turn these into API Gateway calls.
 */
import type { ConnectionItem, Db } from "./model/index.ts";
import { AppError } from "./errors.ts";
import { apiGatewayLimits } from "./realtimeLimits.ts";
import { connectionClosed, connectionOpened } from "./presence.ts";
import { failed, transact } from "./transact.ts";
import { deleteEach } from "./batch.ts";

/** Items outlive API Gateway's longest connection a little, so the sweeper never races a live `$disconnect`. */
const TTL_SECONDS = apiGatewayLimits.connectionDurationMs / 1000 + 10 * 60;

/** A recipient of a push: the connection to post to, and whose it is (to skip the actor's own). */
export interface Recipient {
  connectionId: string;
  userId: string;
}

/** Stores a connection accepted at `$connect`; it and its subscriptions expire with API Gateway's limit. */
export async function openConnection(
  db: Db,
  input: { connectionId: string; userId: string; connectedAt: Date },
): Promise<ConnectionItem & { cameOnline: boolean }> {
  const connection: ConnectionItem = {
    connectionId: input.connectionId,
    userId: input.userId,
    connectedAt: input.connectedAt.toISOString(),
    ttl: Math.ceil(input.connectedAt.getTime() / 1000) + TTL_SECONDS,
  };
  await db.entities.connections.put(connection).go();
  return { ...connection, cameOnline: await connectionOpened(db, input.userId, connection.ttl!) };
}

/**
 * Forgets a connection and all its subscriptions: at `$disconnect`, and when API Gateway answers
 * 410 Gone for it. Idempotent, so both may run for the same connection. The subscriptions go
 * first: a connection item that survives a failure here is retried by the next 410.
 */
export async function closeConnection(db: Db, connectionId: string): Promise<{ wentOffline?: string }> {
  const { data: subs } = await db.entities.subscriptions.query
    .byConnection({ connectionId })
    .go({ pages: "all", attributes: ["channelId", "connectionId"] });
  await deleteEach(subs, (keys) => db.entities.subscriptions.delete(keys).go());
  // Whoever deletes the item (`$disconnect` or a 410) uncounts it, so it is uncounted once.
  const { data: closed } = await db.entities.connections.delete({ connectionId }).go({ response: "all_old" });
  if (!closed || !(await connectionClosed(db, closed.userId))) return {};
  return { wentOffline: closed.userId };
}

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
  const { userId, ttl } = connection.data;
  // The membership is checked in the same transaction as the put: a kick that lands between
  // a separate check and the put would otherwise leave the kicked user listening.
  const codes = await transact(() =>
    db.transaction
      .write(({ members, subscriptions }) => [
        members.check({ serverId, userId }).where((a, op) => op.exists(a.role)).commit(),
        subscriptions
          .put({ channelId: input.channelId, connectionId: input.connectionId, serverId, userId, ...(ttl !== undefined ? { ttl } : {}) })
          .commit(),
      ])
      .go(),
  );
  if (failed(codes, 0)) throw new AppError("not_found", "No such channel.");
  if (codes) throw new Error(`subscribe transaction canceled: ${codes.join(",")}`);
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

/**
 * The connections subscribed to a channel. The subscriptions share the channel's partition, so
 * this is a strongly consistent Query: a `subscribed` reply means the next message reaches it.
 */
export async function channelRecipients(db: Db, channelId: string): Promise<Recipient[]> {
  const { data } = await db.entities.subscriptions.query
    .byChannel({ channelId })
    .go({ pages: "all", consistent: true, attributes: ["connectionId", "userId"] });
  return data;
}

/** Every open connection of these users: one Query per user on the connections' user index. */
export async function userRecipients(db: Db, userIds: readonly string[]): Promise<Recipient[]> {
  const pages = await Promise.all(
    [...new Set(userIds)].map((userId) =>
      db.entities.connections.query.byUser({ userId }).go({ pages: "all", attributes: ["connectionId", "userId"] }),
    ),
  );
  return pages.flatMap((p) => p.data);
}

/** The connections subscribed to any channel of a server, each once. */
export async function serverRecipients(db: Db, serverId: string): Promise<Recipient[]> {
  const { data } = await db.entities.subscriptions.query
    .byServer({ serverId })
    .go({ pages: "all", attributes: ["connectionId", "userId"] });
  return [...new Map(data.map((r) => [r.connectionId, r])).values()];
}

/** A connection may send `typing` to a channel it is subscribed to (which it could only do as a member). */
export async function subscriberOf(db: Db, connectionId: string, channelId: string) {
  const { data } = await db.entities.subscriptions.get({ channelId, connectionId }).go({ consistent: true });
  if (!data) throw new AppError("not_found", "Subscribe to the channel first.");
  return data;
}

/** The servers whose listeners hear a user's presence: every server they belong to. */
export async function serversOf(db: Db, userId: string): Promise<string[]> {
  const { data } = await db.entities.members.query.byUser({ userId }).go({ pages: "all", attributes: ["serverId"] });
  return data.map((m) => m.serverId);
}
