export * from "./pairs.ts";
export * from "./inbox.ts";
