/**
 * The WebSocket connections: stored at `$connect`, forgotten with their subscriptions at
 * `$disconnect` or a 410. No transport here: the handler and the publisher
 * (packages/functions) turn these into API Gateway calls.
 */
import type { ConnectionItem, Db } from "../model/index.ts";
import { apiGatewayLimits } from "./gatewayLimits.ts";
import type { RealtimeLimits } from "./limits.ts";
import { connectionClosed, connectionOpened } from "./presence.ts";
import { isConditionalFailure } from "../store/transactions.ts";
import { dropSubscriptions } from "./subscriptions.ts";

/** Items outlive API Gateway's longest connection a little, so the sweeper never races a live `$disconnect`. */
const TTL_SECONDS = apiGatewayLimits.connectionDurationMs / 1000 + 10 * 60;

/** Stores a connection accepted at `$connect`; it and its subscriptions expire with API Gateway's limit. */
export async function openConnection(
  db: Db,
  input: {
    connectionId: string; userId: string; connectedAt: Date; sessionId: string; sessionExpiresAt: number;
    username?: string | undefined; userCreatedAt?: string | undefined;
  },
  limits?: RealtimeLimits,
): Promise<ConnectionItem & { cameOnline: boolean }> {
  const connection: ConnectionItem = {
    connectionId: input.connectionId,
    userId: input.userId,
    ...(input.username && input.userCreatedAt ? { username: input.username, userCreatedAt: input.userCreatedAt } : {}),
    connectedAt: input.connectedAt.toISOString(),
    sessionId: input.sessionId,
    sessionExpiresAt: input.sessionExpiresAt,
    ttl: Math.ceil(input.connectedAt.getTime() / 1000) + TTL_SECONDS,
  };
  // Counted first: the count is the per-user cap, and a refused connection leaves nothing stored.
  const cameOnline = await connectionOpened(db, input.userId, connection.ttl!, limits);
  await db.entities.connections.put(connection).go();
  return { ...connection, cameOnline };
}

/**
 * Forgets a connection and all its subscriptions: at `$disconnect`, and when API Gateway answers
 * 410 Gone for it. Idempotent, so both may run for the same connection. The subscriptions go
 * first: a connection item that survives a failure here is retried by the next 410.
 */
export async function closeConnection(db: Db, connectionId: string): Promise<{ wentOffline?: string }> {
  const { data: subs } = await db.entities.subscriptions.query
    .byConnection({ connectionId })
    .go({ pages: "all", attributes: ["channelId", "connectionId", "serverId", "userId"] });
  // Off the listener lists of the memberships it subscribed under, so those stay as short as the
  // user's open connections; meanwhile the subscriptions go (then their audiences' new tokens).
  // One it misses (the index lagging a last-moment subscribe) is only a closed connection that
  // a kick would try to close again.
  await Promise.all([
    dropSubscriptions(db, subs.map(({ channelId }) => ({ channelId, connectionId }))),
    ...[...new Map(subs.map((s) => [s.serverId, s.userId])).entries()].map(([serverId, userId]) =>
      db.entities.members
        .patch({ serverId, userId })
        .delete({ listeners: [connectionId] })
        .go({ response: "none" })
        .catch((e: unknown) => {
          if (!isConditionalFailure(e)) throw e; // the membership is gone: nothing to forget
        }),
    ),
  ]);
  // Whoever deletes the item (`$disconnect` or a 410) uncounts it, so it is uncounted once.
  const { data: closed } = await db.entities.connections.delete({ connectionId }).go({ response: "all_old" });
  if (!closed || !(await connectionClosed(db, closed.userId))) return {};
  return { wentOffline: closed.userId };
}

/**
 * API Gateway answers 410 for a connection until its handshake is over, and `$connect` stores the
 * connection before that (and the local gateway likewise): for that long a 410 means "not yet",
 * not "gone". 30 s is past API Gateway's 29 s integration timeout, the longest a `$connect` can run.
 */
export const HANDSHAKE_MS = 30_000;

/**
 * Forgets a connection a post found gone (410), unless it was opened within `HANDSHAKE_MS`: that
 * one is still opening, and forgetting it would leave an open socket nothing is ever delivered
 * to. The frame it missed is not lost: the client catches up once the socket opens (api.md
 * "Change feeds"). One GetItem, on the 410 path only.
 */
export async function forgetGoneConnection(db: Db, connectionId: string): Promise<{ opening?: true; wentOffline?: string }> {
  const { data } = await db.entities.connections.get({ connectionId }).go({ attributes: ["connectedAt"] });
  if (data && db.clock.now() - Date.parse(data.connectedAt) < HANDSHAKE_MS) return { opening: true };
  return closeConnection(db, connectionId);
}

/**
 * The user's open connections, or only those opened with one session (logout): what to close
 * through `@connections` when the session ends. The user index is eventually consistent, so a
 * connection opened in the very instant of a logout can be missed here; the per-frame session
 * check in the WebSocket handler closes it at its next frame (docs/decisions.md, "Sessions and safety").
 */
export async function connectionsOfUser(db: Db, userId: string, sessionId?: string): Promise<string[]> {
  const { data } = await db.entities.connections.query
    .byUser({ userId })
    .go({ pages: "all", attributes: ["connectionId", "sessionId"] });
  return data.filter((c) => sessionId === undefined || c.sessionId === sessionId).map((c) => c.connectionId);
}
