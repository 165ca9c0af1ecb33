export * from "./account.ts";
export * from "./search.ts";
