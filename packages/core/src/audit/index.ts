export * from "./actions.ts";
export * from "./log.ts";
