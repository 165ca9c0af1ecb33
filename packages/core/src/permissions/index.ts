export * from "./policy.ts";
export * from "./rosterOrder.ts";
