/**
 * API Gateway's WebSocket quotas that code must respect, none of which can be raised
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html).
 * Connection items expire with them, the publisher checks them before posting, and the local
 * gateway enforces them, so that what works locally works deployed (docs/decisions.md, "Realtime").
 */
export const apiGatewayLimits = {
  /** One WebSocket frame; a bigger frame from a client closes the connection with 1009. */
  frameBytes: 32 * 1024,
  /** One message (a `@connections` POST, or a client message split into frames). */
  messageBytes: 128 * 1024,
  /** With no frame from the client for this long, API Gateway closes the connection. */
  idleTimeoutMs: 10 * 60 * 1000,
  /** Every connection is closed after this long, active or not. */
  connectionDurationMs: 2 * 60 * 60 * 1000,
} as const;

export type GatewayLimits = { -readonly [K in keyof typeof apiGatewayLimits]: number };
