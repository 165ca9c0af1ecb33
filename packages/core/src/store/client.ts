import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** What a DynamoDB client has been asked, by operation name (GetItem, Query, TransactWriteItems, …). */
export type RequestCounts = Record<string, number>;

/** One request's span on the clock (performance.now() ms), for counting sequential round trips. */
export interface RequestSpan {
  op: string;
  start: number;
  end: number;
}

export interface DynamoClients {
  document: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  /** Every request the client sent; tests read and reset it to measure a route's cost. */
  counts: RequestCounts;
  /** Set to an array to record each request's span (benchmarks); undefined costs nothing. */
  spans?: RequestSpan[] | undefined;
}

/**
 * The DynamoDB client for the whole app. A middleware counts each request by operation, so
 * tests can measure what a route costs, and refuses any Scan.
 */
export function createDynamoClients(config: DynamoDBClientConfig = {}): DynamoClients {
  const raw = new DynamoDBClient({ maxAttempts: 5, ...config });
  const counts: RequestCounts = {};
  // Read by the middleware at request time, once the clients below exist.
  let spansOf = (): RequestSpan[] | undefined => undefined;
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName ?? "unknown").replace(/Command$/, "");
      counts[op] = (counts[op] ?? 0) + 1;
      // No request path may read a whole table; refusing it here makes any slip fail loudly, in tests first.
      if (op === "Scan") throw new Error("Scan is not allowed: query a key or an index instead.");
      const spans = spansOf();
      if (!spans) return next(args);
      const start = performance.now();
      try {
        return await next(args);
      } finally {
        spans.push({ op, start, end: performance.now() });
      }
    },
    { step: "initialize", name: "agorustaRequestCounter" },
  );
  const document = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const clients: DynamoClients = { document, raw, counts };
  spansOf = () => clients.spans;
  return clients;
}

/** A client for DynamoDB Local, which takes any region and credentials. */
export const localDynamoConfig = (endpoint: string): DynamoDBClientConfig => ({
  endpoint,
  region: "local",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

/**
 * How many requests of these spans had to wait for one another: the longest chain of spans each
 * starting after the previous one ended (greedy by end time finds it). Requests sent in parallel
 * count once; a request that waits for an answer counts again.
 */
export function sequentialRoundTrips(spans: readonly RequestSpan[]): number {
  let chain = 0;
  let last = -Infinity;
  for (const span of [...spans].sort((a, b) => a.end - b.end)) {
    if (span.start >= last) {
      chain++;
      last = span.end;
    }
  }
  return chain;
}
