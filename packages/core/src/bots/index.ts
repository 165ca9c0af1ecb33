export * from "./bots.ts";
