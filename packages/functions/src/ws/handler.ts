/**
 * The one WebSocket handler (api.md "WebSocket protocol"), written against API Gateway's
 * WebSocket event: behind the Lambda adapter deployed, behind the local gateway under `npm start`.
 */
import type { APIGatewayProxyWebsocketEventV2 } from "aws-lambda";
import { AppError, isAppError, userView, type ReplyFrame } from "@agorusta/core";
import {
  closeConnection,
  openConnection,
  subscribe,
  subscribeServer,
  subscriberOf,
  unsubscribe,
  unsubscribeServer,
} from "@agorusta/core/realtime";
import { announcePresence } from "../delivery/announcePresence.ts";
import { getUser } from "@agorusta/core/accounts";
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
  return async (event) => {
    const { routeKey, connectionId } = event.requestContext;
    if (routeKey === "$connect") return connect(deps, event);
    if (routeKey === "$disconnect") {
      const { wentOffline } = await closeConnection(deps.db, connectionId);
      if (wentOffline) await announcePresence(deps.db, deps.publisher, wentOffline, false);
      return ok;
    }
    // `$default`, and any action API Gateway might route here by name: all go through one parser.
    const { reply, statusCode } = await answer(deps, event);
    if (reply) await deps.publisher.toConnection(connectionId, reply);
    return { statusCode };
  };
}

/** Verifies the JWT from the query; a refusal answers the handshake with 401 and the contract's error body. */
async function connect(deps: Deps, event: WsEvent): Promise<WsResult> {
  let userId: string;
  try {
    userId = await deps.tokens.verify(event.queryStringParameters?.token);
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { statusCode: e.status, body: JSON.stringify(e.toBody()) };
  }
  const { connectionId, connectedAt } = event.requestContext;
  const { cameOnline } = await openConnection(deps.db, { connectionId, userId, connectedAt: new Date(connectedAt) });
  if (cameOnline) await announcePresence(deps.db, deps.publisher, userId, true);
  return ok;
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
        await subscribeServer(deps.db, { connectionId, serverId: frame.serverId });
        return { type: "subscribed", serverId: frame.serverId };
      }
      await subscribe(deps.db, { connectionId, channelId: frame.channelId! });
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
      const { userId } = await subscriberOf(deps.db, connectionId, frame.channelId);
      const user = await getUser(deps.db, userId);
      // `avatarUrl` stays null: the bucket is linked to the API Lambda only (docs/decisions.md,
      // "Avatars and server icons"); a client shows typing names, and has avatars from the roster.
      await deps.publisher.toChannel(frame.channelId, { type: "typing", channelId: frame.channelId, user: userView(user) }, { exceptUserId: userId });
      return null;
    }
  }
}
