export * from "./policy.ts";
export * from "./rosterOrder.ts";
export * from "./bits.ts";
export * from "./compute.ts";
export * from "./roleMentions.ts";
