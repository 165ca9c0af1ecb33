export * from "./settings.ts";
export * from "./endpoints.ts";
export * from "./subscriptions.ts";
export * from "./recipients.ts";
