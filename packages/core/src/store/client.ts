import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** What a DynamoDB client has been asked, by operation name (GetItem, Query, TransactWriteItems, …). */
export type RequestCounts = Record<string, number>;

export interface DynamoClients {
  document: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  /** Every request the client sent; tests read and reset it to measure a route's cost. */
  counts: RequestCounts;
}

/**
 * The DynamoDB client for the whole app. A middleware counts each request by operation, so
 * tests can measure what a route costs, and refuses any Scan.
 */
export function createDynamoClients(config: DynamoDBClientConfig = {}): DynamoClients {
  const raw = new DynamoDBClient({ maxAttempts: 5, ...config });
  const counts: RequestCounts = {};
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName ?? "unknown").replace(/Command$/, "");
      counts[op] = (counts[op] ?? 0) + 1;
      // No request path may read a whole table; refusing it here makes any slip fail loudly, in tests first.
      if (op === "Scan") throw new Error("Scan is not allowed: query a key or an index instead.");
      return next(args);
    },
    { step: "initialize", name: "agorustaRequestCounter" },
  );
  const document = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { document, raw, counts };
}

/** A client for DynamoDB Local, which takes any region and credentials. */
export const localDynamoConfig = (endpoint: string): DynamoDBClientConfig => ({
  endpoint,
  region: "local",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});
