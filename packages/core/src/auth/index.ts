export * from "./passwordHashing.ts";
export * from "./tokens.ts";
export * from "./sessions.ts";
