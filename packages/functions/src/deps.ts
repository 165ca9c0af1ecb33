import { createDb, createTokens, type Db, type DynamoClients, type Tokens } from "@agorusta/core";

/** What the handlers need from the outside world; built once per process. */
export interface Deps {
  db: Db;
  tokens: Tokens;
  /** The DynamoDB client's request counts, for tests and benchmarks. */
  dynamo: DynamoClients;
}

export interface AppEnv {
  Variables: { userId: string };
}

export function createDeps(options: { dynamo: DynamoClients; tableName: string; jwtSecret: string }): Deps {
  return {
    db: createDb(options.dynamo.document, options.tableName),
    tokens: createTokens(options.jwtSecret),
    dynamo: options.dynamo,
  };
}
