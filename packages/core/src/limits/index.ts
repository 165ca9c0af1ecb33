export * from "./attempts.ts";
export * from "./liveSlots.ts";
export * from "./usage.ts";
