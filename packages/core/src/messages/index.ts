export * from "./history.ts";
export * from "./replies.ts";
export * from "./reactions.ts";
export * from "./attach.ts";
export * from "./mentions.ts";
export * from "./nonces.ts";
export * from "./deletion.ts";
