export * from "./passwordHashing.ts";
export * from "./tokens.ts";
export * from "./sessions.ts";
export * from "./secretTokens.ts";
export * from "./botTokens.ts";
