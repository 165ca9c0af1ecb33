export * from "./channel.ts";
export * from "./direct.ts";
export * from "./edits.ts";
export * from "./history.ts";
export * from "./replies.ts";
export * from "./reactions.ts";
export * from "./attach.ts";
