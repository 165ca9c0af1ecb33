/**
 * The WebSocket connections: stored at `$connect`, forgotten with their subscriptions at
 * `$disconnect` or a 410. No transport here: the handler and the publisher
 * (packages/functions) turn these into API Gateway calls.
 */
import type { ConnectionItem, Db } from "../model/index.ts";
import { apiGatewayLimits } from "./gatewayLimits.ts";
import type { RealtimeLimits } from "./limits.ts";
import { connectionClosed, connectionOpened } from "./presence.ts";
import { deleteEach } from "../store/batches.ts";
import { isConditionalFailure } from "../store/transactions.ts";
import { audienceChanged } from "./audiences.ts";

/** Items outlive API Gateway's longest connection a little, so the sweeper never races a live `$disconnect`. */
const TTL_SECONDS = apiGatewayLimits.connectionDurationMs / 1000 + 10 * 60;

/**
 * A recipient of a push: the connection to post to, whose it is (to skip the actor's own), and
 * when its token expires (epoch seconds; absent on items from before it was copied), past which
 * nothing is delivered to it.
 */
export interface Recipient {
  connectionId: string;
  userId: string;
  sessionExpiresAt?: number | undefined;
}

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
  await deleteEach(
    subs.map(({ channelId }) => ({ channelId, connectionId })),
    (keys) => db.entities.subscriptions.delete(keys).go(),
  );
  // Off the listener lists of the memberships it subscribed under, so those stay as short as the
  // user's open connections. One it misses (the index lagging a last-moment subscribe) is only a
  // closed connection that a kick would try to close again. Beside it, its audiences' new tokens.
  await Promise.all([
    audienceChanged(db, subs.map((s) => s.channelId)),
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
