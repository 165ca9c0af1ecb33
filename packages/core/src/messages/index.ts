export * from "./changes.ts";
export * from "./channel.ts";
export * from "./direct.ts";
export * from "./edits.ts";
export * from "./history.ts";
export * from "./mentions.ts";
export * from "./nonces.ts";
export * from "./readState.ts";
