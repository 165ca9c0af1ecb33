export * from "./errors.ts";
export * from "./views.ts";
export { createDb, type Db } from "./model/index.ts";
export { skipModelChecks } from "./model/modelChecks.ts";
export { createDynamoClients, localDynamoConfig, sequentialRoundTrips, type DynamoClients, type RequestSpan } from "./store/client.ts";
export { createTokens, type Tokens } from "./auth/tokens.ts";
export { createTableInput, ensureTable } from "./store/table.ts";
export * from "./realtime/events.ts";
