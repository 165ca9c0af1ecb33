import { inject } from "vitest";
import { randomBytes } from "node:crypto";
import { createDb, createDynamoClients, ensureTable, localDynamoConfig, type Db, type DynamoClients } from "../src/index.ts";

/**
 * Core's own harness: a fresh table in the run's DynamoDB Local (started by the workspace's
 * global setup) and the model over it. Nothing from `functions` or `local`: core is tested
 * as the domain it is, without HTTP.
 */
export async function freshDb(): Promise<{ db: Db; dynamo: DynamoClients; tableName: string }> {
  const dynamo = createDynamoClients(localDynamoConfig(inject("dynamoEndpoint")));
  const tableName = `core_${Date.now()}_${randomBytes(4).toString("hex")}`;
  await ensureTable(dynamo.raw, tableName);
  return { db: createDb(dynamo.document, tableName), dynamo, tableName };
}

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
