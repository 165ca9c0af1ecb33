export * from "./channel.ts";
export * from "./direct.ts";
export * from "./edits.ts";
export * from "./history.ts";
