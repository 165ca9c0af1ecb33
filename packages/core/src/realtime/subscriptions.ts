/**
 * What a connection listens to: subscribe (members only, checked in the same transaction as the
 * put; a channel's subscribe checks `VIEW_CHANNEL` first, in servers/channelSubscriptions.ts),
 * unsubscribe, and the check that a connection may send to a channel it watches.
 *
 * A whole-server subscription (api.md "WebSocket: whole servers") is a subscription item whose
 * `channelId` is the server's own id (ids are ULIDs, so no channel has it). It is therefore
 * found, like any subscription, by the server (gsi2: server-level events), by its connection
 * (cleanup at `$disconnect`) and by a leave or kick (which deletes the leaver's subscriptions
 * to the server), and its "channel" partition is where `channel_activity` fans out from.
 *
 * Every change to who is subscribed where is made here — subscribe, unsubscribe, and dropping a
 * connection's or a removed member's subscriptions (`$disconnect`, a 410, a kick or a leave) —
 * and each is followed, by the function that makes it, by a new audience token for every
 * partition it touched (`audienceChanged`; what the token is for: audiences.ts).
 */
import { randomUUID } from "node:crypto";
import type { Db, Write } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { assertCommitted, isConditionalFailure, transact } from "../store/transactions.ts";
import { deleteEach, putEach } from "../store/batches.ts";
import { isId } from "../schemas.ts";
import { realtimeLimits, type RealtimeLimits } from "./limits.ts";

/**
 * A new token for each of these partitions (channels, or servers' whole-server lists), once their
 * subscriptions have changed: a publisher that kept their lists queries them again.
 * Not in the change's own transaction: every subscriber of a busy channel would contend for it.
 */
async function audienceChanged(db: Db, channelIds: Iterable<string>): Promise<void> {
  const fresh = (channelId: string) => ({ channelId, token: randomUUID() });
  const ids = [...new Set(channelIds)];
  if (ids.length === 1) return void (await db.entities.audiences.put(fresh(ids[0]!)).go({ response: "none" }));
  // Any new token will do, so what DynamoDB leaves unprocessed is written again with another.
  await putEach(ids, async (pending) => {
    const { unprocessed } = await db.entities.audiences.put(pending.map(fresh)).go();
    return { unprocessed: unprocessed.map((k) => k.channelId) };
  });
}

/** Subscribes a connection to a whole server: members only, as for a channel, and counted against the same cap. */
export async function subscribeServer(db: Db, input: { connectionId: string; serverId: string }, limits: RealtimeLimits = realtimeLimits): Promise<void> {
  if (!isId(input.serverId)) throw new AppError("not_found", "No such server.");
  const { data: connection } = await db.entities.connections.get({ connectionId: input.connectionId }).go({ consistent: true });
  if (!connection) throw new AppError("unauthorized", "This connection is no longer known. Reconnect.");
  await putSubscription(db, { ...connection, channelId: input.serverId, serverId: input.serverId }, "No such server.", limits);
}

/** Idempotent, like a channel's. */
export async function unsubscribeServer(db: Db, input: { connectionId: string; serverId: string }): Promise<void> {
  await unsubscribe(db, { connectionId: input.connectionId, channelId: input.serverId });
}

/**
 * One transaction: the membership must exist and records this connection among its listeners
 * (so removing the member finds it, consistently: a kick that lands between a separate check and
 * the put would otherwise leave the kicked user listening); with `rolesVersion`, the server's
 * roles item must still be at that version (the one a channel's permission check read:
 * servers/channelSubscriptions.ts), else nothing is written and this answers false; the
 * connection's subscription count goes up under the cap (channels and whole servers alike); the
 * subscription is created unless it already exists (subscribing twice is one subscription, counted once).
 */
export async function putSubscription(
  db: Db,
  input: {
    connectionId: string; userId: string; ttl?: number | undefined; channelId: string; serverId: string;
    username?: string | undefined; userCreatedAt?: string | undefined; sessionExpiresAt?: number | undefined;
  },
  notFound: string,
  limits: RealtimeLimits,
  rolesVersion?: number,
): Promise<boolean> {
  const { connectionId, userId, ttl, channelId, serverId, username, userCreatedAt, sessionExpiresAt } = input;
  const max = limits.subscriptionsPerConnection;
  const refused = await transact(db, ({ members, connections, subscriptions, serverRoles }) => {
    const writes = {
      membership: members.patch({ serverId, userId }).add({ listeners: [connectionId] }).commit(),
      count: connections
        .patch({ connectionId })
        .add({ subscriptionCount: 1 })
        .where((a, op) => `${op.notExists(a.subscriptionCount)} OR ${op.lt(a.subscriptionCount, max)}`)
        .commit(),
      subscription: subscriptions
        .create({
          channelId, connectionId, serverId, userId,
          ...(username && userCreatedAt ? { username, userCreatedAt } : {}),
          ...(ttl !== undefined ? { ttl } : {}),
          ...(sessionExpiresAt !== undefined ? { sessionExpiresAt } : {}),
        })
        .commit(),
    };
    if (rolesVersion === undefined) return writes as Record<keyof typeof writes | "roles", Write>;
    // Version 0 is a server without a roles item (the default `@everyone`).
    const roles = serverRoles
      .check({ serverId })
      .where((a, op) => (rolesVersion === 0 ? op.notExists(a.version) : op.eq(a.version, rolesVersion)))
      .commit();
    return { ...writes, roles };
  });
  if (refused.has("membership")) throw new AppError("not_found", notFound);
  // Permissions changed since they were read: the caller reads them again.
  if (refused.has("roles")) return false;
  if (refused.has("subscription")) return true; // already subscribed: nothing to count
  if (refused.has("count")) {
    throw new AppError("limit_reached", `A connection may watch at most ${max} channels and servers; unsubscribe from one first.`);
  }
  assertCommitted(refused, "subscribe");
  // Before `subscribed` is answered: the next send reads the new token and queries the list again.
  await audienceChanged(db, [channelId]);
  return true;
}

/**
 * The server a channel belongs to, from the channel-id index. That index lags a new channel by
 * up to about a second, so a miss is asked again twice before it counts as "no such channel".
 */
export async function serverOfChannel(db: Db, channelId: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const { data } = await db.entities.channels.query.byId({ channelId }).go({ limit: 1 });
    if (data[0] || attempt === 2) return data[0]?.serverId;
    await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
  }
}

/**
 * Idempotent: unsubscribing from a channel one never subscribed to changes nothing. The
 * subscription and the connection's count go together, so the count stays exact.
 */
export async function unsubscribe(db: Db, input: { connectionId: string; channelId: string }): Promise<void> {
  if (!isId(input.channelId)) return;
  const key = { channelId: input.channelId, connectionId: input.connectionId };
  const refused = await transact(db, ({ connections, subscriptions }) => ({
    subscription: subscriptions.delete(key).where((a, op) => op.exists(a.serverId)).commit(),
    count: connections.patch({ connectionId: input.connectionId }).subtract({ subscriptionCount: 1 }).commit(),
  }));
  if (refused.has("subscription")) return; // not subscribed
  // The connection item is gone (swept): the subscription alone is left to forget.
  if (refused.size) await db.entities.subscriptions.delete(key).go();
  await audienceChanged(db, [input.channelId]);
}

/** A subscription, by its key. */
export interface SubscriptionKey {
  channelId: string;
  connectionId: string;
}

/**
 * Deletes these subscriptions (a closed connection's, or a removed member's in that server), 25
 * to a BatchWriteItem, then writes their partitions' new tokens.
 */
export async function dropSubscriptions(db: Db, keys: readonly SubscriptionKey[]): Promise<void> {
  await deleteEach([...keys], (batch) => db.entities.subscriptions.delete(batch).go());
  await audienceChanged(db, keys.map((k) => k.channelId));
}

/**
 * Whether `typing` from this connection to this channel is relayed now, and by whom: one
 * conditional update stamps the subscription, refused within `typingIntervalMs` of the last
 * stamp (the frame is then dropped: null). Only a subscriber may send it (which it could only
 * become as a member); anyone else gets `not_found`.
 */
export async function typingFrom(
  db: Db,
  connectionId: string,
  channelId: string,
  nowMs = db.clock.now(),
  limits: RealtimeLimits = realtimeLimits,
): Promise<{ userId: string; username?: string | undefined; userCreatedAt?: string | undefined } | null> {
  const relayed = await typingIn(db, connectionId, channelId, nowMs, limits);
  return relayed && relayed.typist;
}

/** The same, with the server of the channel (from the stamped subscription), which the relay's audience needs. */
export async function typingIn(
  db: Db,
  connectionId: string,
  channelId: string,
  nowMs = db.clock.now(),
  limits: RealtimeLimits = realtimeLimits,
): Promise<{ serverId: string; typist: { userId: string; username?: string | undefined; userCreatedAt?: string | undefined } } | null> {
  if (!isId(channelId)) throw new AppError("not_found", "Subscribe to the channel first.");
  try {
    const { data } = await db.entities.subscriptions
      .patch({ channelId, connectionId })
      .set({ typingAt: nowMs })
      // A whole-server subscription is not one to a channel: nobody types into a server.
      .where((a, op) => `(${op.notExists(a.typingAt)} OR ${op.lte(a.typingAt, nowMs - limits.typingIntervalMs)}) AND ${op.ne(a.serverId, channelId)}`)
      .go({ response: "all_new" });
    return { serverId: data.serverId!, typist: { userId: data.userId!, username: data.username, userCreatedAt: data.userCreatedAt } };
  } catch (e) {
    if (!isConditionalFailure(e)) throw e;
  }
  const { data } = await db.entities.subscriptions.get({ channelId, connectionId }).go({ consistent: true });
  if (!data || data.channelId === data.serverId) throw new AppError("not_found", "Subscribe to the channel first.");
  return null;
}
