import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { WRITE_OPERATIONS, writeGate } from "./writeGate.ts";

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
 * The IAM actions a request needs (`dynamodb:` left off). A transaction is authorized item by
 * item: a TransactWriteItems needs PutItem, UpdateItem, DeleteItem or ConditionCheckItem for
 * what it holds, a TransactGetItems needs GetItem.
 */
export function iamActionsOf(operation: string, input: unknown): string[] {
  if (operation === "TransactWriteItems") {
    const items = ((input as { TransactItems?: Array<Record<string, unknown>> }).TransactItems ?? []);
    const byKey: Record<string, string> = { Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem" };
    return [...new Set(items.flatMap((item) => Object.keys(item).map((k) => byKey[k] ?? k)))];
  }
  if (operation === "TransactGetItems") return ["GetItem"];
  return [operation];
}

export interface ClientOptions {
  /**
   * The IAM actions this process is granted (infra gives each Lambda only these): a request
   * needing another is refused here as IAM would refuse it deployed, so tests and `npm start`
   * catch a missing grant before a deploy does. Undefined: everything (tests' own set-up).
   */
  allowedActions?: readonly string[];
}

/**
 * The DynamoDB client for the whole app. A middleware counts each request by operation, so
 * tests can measure what a route costs, refuses any Scan, and anything outside `allowedActions`;
 * a write waits for the check its request runs it behind (store/writeGate.ts).
 */
export function createDynamoClients(config: DynamoDBClientConfig = {}, options: ClientOptions = {}): DynamoClients {
  const raw = new DynamoDBClient({ maxAttempts: 5, ...config });
  const allowed = options.allowedActions && new Set(options.allowedActions);
  const counts: RequestCounts = {};
  // Read by the middleware at request time, once the clients below exist.
  let spansOf = (): RequestSpan[] | undefined => undefined;
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName ?? "unknown").replace(/Command$/, "");
      // A write behind a check that fails is never sent (nor counted).
      const gate = WRITE_OPERATIONS.has(op) ? writeGate() : undefined;
      if (gate) await gate;
      counts[op] = (counts[op] ?? 0) + 1;
      // No request path may read a whole table; refusing it here makes any slip fail loudly, in tests first.
      if (op === "Scan") throw new Error("Scan is not allowed: query a key or an index instead.");
      if (allowed) {
        const denied = iamActionsOf(op, args.input).filter((a) => !allowed.has(a));
        if (denied.length) {
          throw new Error(`${op} needs dynamodb:${denied.join(", dynamodb:")}, which this Lambda is not granted (packages/functions/src/lambda/permissions.ts).`);
        }
      }
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
