/**
 * The one WebSocket handler (api.md "WebSocket protocol"), written against API Gateway's
 * WebSocket event: behind the Lambda adapter deployed, behind the local gateway under `npm start`.
 */
import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { LRUCache } from "lru-cache";
import { AppError, isAppError, userView, type ReplyFrame } from "@agorusta/core";
import {
  closeConnection,
  openConnection,

  subscribeServer,
  typingIn,
  unsubscribe,
  unsubscribeServer,
  realtimeLimitsFor,
  apiGatewayLimits,
} from "@agorusta/core/realtime";
import { announcePresence } from "../delivery/announcePresence.ts";
import { closeEndedSessions } from "../delivery/endSessions.ts";
import { getUser } from "@agorusta/core/accounts";
import { dmTypingFrom } from "@agorusta/core/dms";
import { subscribe } from "@agorusta/core/servers";
import { isSessionOpen, redeemWsTicket } from "@agorusta/core/auth";
import { clientFrame, parse, type ClientFrame } from "@agorusta/core/schemas";
import type { Deps } from "../deps.ts";

export type WsEvent = APIGatewayProxyWebsocketEventV2;
/** For `$connect`, a status other than 2xx refuses the handshake with it; other routes' results are not sent back. */
export interface WsResult {
  statusCode: number;
  body?: string;
}
export type WsHandler = (event: WsEvent) => Promise<WsResult>;

const ok: WsResult = { statusCode: 200 };

export function createWsHandler(deps: Deps): WsHandler {
  const identities = connectionIdentities(deps);
  return async (event) => {
    const { routeKey, connectionId } = event.requestContext;
    if (routeKey === "$connect") return connect(deps, event);
    if (routeKey === "$disconnect") {
      identities.forget(connectionId);
      const { wentOffline } = await closeConnection(deps.db, connectionId);
      if (wentOffline) await announcePresence(deps.db, deps.publisher, wentOffline, false);
      return ok;
    }
    // `$default`, and any action API Gateway might route here by name: all go through one parser.
    if (!(await sessionHolds(deps, identities, connectionId))) return ok;
    const { reply, statusCode } = await answer(deps, event);
    if (reply) await deps.publisher.toConnection(connectionId, reply);
    return { statusCode };
  };
}

/**
 * Redeems the one-time ticket from the query (`?ticket=`, from `POST /auth/ws-ticket`); a token
 * in the URL is refused, so none lands in an access log. Then counts the connection against the
 * user's cap. A refusal (401 bad ticket, 429 one connection too many) answers the handshake with
 * that status and the contract's error body, as API Gateway does with what `$connect` answers.
 */
async function connect(deps: Deps, event: WsEvent): Promise<WsResult> {
  try {
    const query = event.queryStringParameters ?? {};
    if (query.token !== undefined && query.ticket === undefined) {
      throw new AppError("unauthorized", "Tokens are not accepted in the URL: connect with ?ticket= from POST /auth/ws-ticket.");
    }
    const { userId, sessionId, expiresAt, username, userCreatedAt } = await redeemWsTicket(deps.db, query.ticket);
    const { connectionId, connectedAt } = event.requestContext;
    const { cameOnline } = await openConnection(
      deps.db,
      { connectionId, userId, sessionId, sessionExpiresAt: expiresAt, connectedAt: new Date(connectedAt), username, userCreatedAt },
      realtimeLimitsFor(deps.usageLimits),
    );
    if (cameOnline) await announcePresence(deps.db, deps.publisher, userId, true);
    await closeAtExpiry(deps, connectionId, connectedAt, expiresAt);
    return ok;
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { statusCode: e.status, body: JSON.stringify(e.toBody()) };
  }
}

/**
 * A token that ends before API Gateway would close the connection (2 hours after it opened) has
 * the connection closed at its expiry by the expiry queue (delivery/connectionExpiry.ts). A queue
 * that refuses is logged, not the handshake: the connection still ends at its next frame or
 * delivery, or at the gateway's cap.
 */
async function closeAtExpiry(deps: Deps, connectionId: string, connectedAt: number, expiresAt: number): Promise<void> {
  if (expiresAt * 1000 >= connectedAt + apiGatewayLimits.connectionDurationMs) return;
  try {
    await deps.expiries.schedule({ connectionId, expiresAt });
  } catch (e) {
    console.error(`WebSocket ${connectionId}: its close at the token's expiry could not be scheduled:`, e);
  }
}

interface Identity {
  readonly userId: string;
  readonly sessionId?: string | undefined;
  readonly sessionExpiresAt?: number | undefined;
}

/**
 * Whose a connection is and which session opened it: fixed at `$connect` (read-only attributes),
 * so this instance reads them once per connection and keeps them until its `$disconnect` (or, as
 * a bound, the least recently used of `max` goes). A frame's session check is then one GetItem, not two in a row.
 */
function connectionIdentities(deps: Deps, max = 10_000) {
  const known = new LRUCache<string, Identity>({ max });
  return {
    async of(connectionId: string): Promise<Identity | null> {
      const kept = known.get(connectionId);
      if (kept) return kept;
      const { data } = await deps.db.entities.connections.get({ connectionId }).go({ attributes: ["userId", "sessionId", "sessionExpiresAt"] });
      if (data) known.set(connectionId, data);
      return data;
    },
    forget: (connectionId: string) => void known.delete(connectionId),
  };
}

/**
 * Every client frame first asks whether the connection's session still holds: its token has not
 * expired and it was not ended (logout closes its connections at once, but a connection opened in
 * the very instant of a logout can escape the eventually consistent lookup). One GetItem a frame
 * (the session's; the connection's identity is kept), and the web app sends one every 4 minutes at
 * least. False: the connection is being closed.
 */
async function sessionHolds(deps: Deps, identities: ReturnType<typeof connectionIdentities>, connectionId: string): Promise<boolean> {
  let holds: boolean;
  try {
    const data = await identities.of(connectionId);
    // Unknown (swept, or never stored): the actions that need it say so themselves.
    if (!data) return true;
    holds =
      data.sessionId !== undefined &&
      (data.sessionExpiresAt ?? 0) * 1000 > deps.db.clock.now() &&
      (await isSessionOpen(deps.db, { userId: data.userId, sessionId: data.sessionId }));
  } catch (e) {
    // The table cannot be read: every action that touches it fails on its own (and a ping needs
    // none), so the frame goes on to be answered rather than the connection being cut for a fault.
    console.error("WebSocket session check failed:", e);
    return true;
  }
  if (!holds) await closeEndedSessions(deps.publisher, [connectionId]);
  return holds;
}


/** The reply to one client frame. Bad frames get an error frame; the connection stays open. */
async function answer(deps: Deps, event: WsEvent): Promise<{ reply: ReplyFrame | null; statusCode: number }> {
  let frame: ClientFrame | undefined;
  try {
    frame = parse(clientFrame, decode(event));
    return { reply: await act(deps, event.requestContext.connectionId, frame), statusCode: 200 };
  } catch (e) {
    const target = {
      ...(frame && "channelId" in frame && frame.channelId ? { channelId: frame.channelId } : {}),
      ...(frame && "serverId" in frame && frame.serverId ? { serverId: frame.serverId } : {}),
    };
    if (isAppError(e)) return { reply: { type: "error", code: e.code, message: e.message, ...target }, statusCode: 200 };
    console.error(`WebSocket ${frame?.action ?? "frame"} failed:`, e);
    const internal = new AppError("internal");
    return { reply: { type: "error", code: internal.code, message: internal.message, ...target }, statusCode: 500 };
  }
}

function decode(event: WsEvent): unknown {
  if (event.isBase64Encoded) throw new AppError("invalid_request", "Frames must be JSON text, not binary.");
  try {
    return JSON.parse(event.body ?? "");
  } catch {
    throw new AppError("invalid_request", "Frames must be JSON objects.");
  }
}

/** The reply to send back; `typing` has none (it is fire-and-forget, several times a minute). */
async function act(deps: Deps, connectionId: string, frame: ClientFrame): Promise<ReplyFrame | null> {
  switch (frame.action) {
    case "subscribe":
      if (frame.serverId) {
        await subscribeServer(deps.db, { connectionId, serverId: frame.serverId }, realtimeLimitsFor(deps.usageLimits));
        return { type: "subscribed", serverId: frame.serverId };
      }
      await subscribe(deps.db, { connectionId, channelId: frame.channelId! }, realtimeLimitsFor(deps.usageLimits));
      return { type: "subscribed", channelId: frame.channelId! };
    case "unsubscribe":
      if (frame.serverId) {
        await unsubscribeServer(deps.db, { connectionId, serverId: frame.serverId });
        return { type: "unsubscribed", serverId: frame.serverId };
      }
      await unsubscribe(deps.db, { connectionId, channelId: frame.channelId! });
      return { type: "unsubscribed", channelId: frame.channelId! };
    case "ping":
      return { type: "pong" };
    case "typing": {
      if (frame.conversationId) {
        const dm = await dmTypingFrom(deps.db, connectionId, frame.conversationId, deps.db.clock.now(), realtimeLimitsFor(deps.usageLimits));
        if (dm) await deps.publisher.toUsers([dm.to], { type: "dm_typing", conversationId: frame.conversationId, user: dm.typist });
        return null;
      }
      const relayed = await typingIn(deps.db, connectionId, frame.channelId!, deps.db.clock.now(), realtimeLimitsFor(deps.usageLimits));
      if (!relayed) return null; // within 3 s of the last one relayed: dropped
      const { serverId, typist: { userId, username, userCreatedAt } } = relayed;
      // Named from the subscription it stamped; one made before subscriptions carried the name reads the user.
      const user = username && userCreatedAt ? { userId, username, createdAt: userCreatedAt } : await getUser(deps.db, userId);
      // `avatarUrl` stays null: the bucket is linked to the API Lambda only (docs/decisions.md,
      // "Avatars and server icons"); a client shows typing names, and has avatars from the roster.
      await deps.publisher.toChannel({ serverId, channelId: frame.channelId! }, { type: "typing", channelId: frame.channelId!, user: userView(user) }, { exceptUserId: userId });
      return null;
    }
  }
}
