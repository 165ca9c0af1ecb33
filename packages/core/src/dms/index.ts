export * from "./pairs.ts";
export * from "./inbox.ts";
export * from "./typing.ts";
export * from "./presence.ts";
