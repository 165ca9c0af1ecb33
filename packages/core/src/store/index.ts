export * from "./batches.ts";
export * from "./client.ts";
export * from "./ids.ts";
export * from "./keys.ts";
export * from "./table.ts";
export * from "./time.ts";
export * from "./transactions.ts";
