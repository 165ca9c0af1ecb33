export * from "./passwordHashing.ts";
export * from "./tokens.ts";
