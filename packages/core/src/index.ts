export * from "./errors.ts";
export * from "./views.ts";
export { createDb, type Db } from "./model/index.ts";
export { createDynamoClients, localDynamoConfig, type DynamoClients } from "./dynamo.ts";
export { createTokens, type Tokens } from "./auth/tokens.ts";
export { createTableInput } from "./table.ts";
export * from "./events.ts";
