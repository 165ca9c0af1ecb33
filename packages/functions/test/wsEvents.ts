import type { WsEvent } from "../src/ws/handler.ts";

/** A WebSocket API event as API Gateway hands it to the handler, connected now (a count whose connections would have expired by now is stale, and not a cap). */
export function wsEvent(routeKey: string, connectionId: string, fields: Partial<WsEvent> = {}): WsEvent {
  return {
    requestContext: { routeKey, connectionId, connectedAt: Date.now(), eventType: routeKey === "$connect" ? "CONNECT" : routeKey === "$disconnect" ? "DISCONNECT" : "MESSAGE" },
    isBase64Encoded: false,
    ...fields,
  } as WsEvent;
}
