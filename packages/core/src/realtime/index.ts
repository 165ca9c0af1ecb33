export * from "./audiences.ts";
export * from "./connections.ts";
export * from "./events.ts";
export * from "./gatewayLimits.ts";
export * from "./presence.ts";
export * from "./recipients.ts";
export * from "./subscriptions.ts";
export * from "./limits.ts";
