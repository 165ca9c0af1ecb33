export * from "./words.ts";
export * from "./postings.ts";
export * from "./indexer.ts";
export * from "./query.ts";
export * from "./search.ts";
export * from "./stream.ts";
export * from "./backfill.ts";
