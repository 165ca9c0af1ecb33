/**
 * What one request's DynamoDB calls share: the check its writes wait for, and the reads it has
 * put off so that they travel with its first request. A signed-in request's session read (is
 * this token's session still open?) is both: it goes out inside the route's first BatchGetItem
 * (or beside its first other request, or alone at the end), the route's reads do not wait for it
 * since they reveal nothing until it answers, and no write goes out before it has passed — nor
 * does any answer (functions/src/http/requireUser.ts). A signed-in request saves a round trip,
 * and one request when the route reads with `readTogether`. Reads that parts of a request choose
 * to share are not parked here but joined to a batch passed to each of them (readBatch.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { batchGet, type ItemRead } from "./batchGet.ts";

/** A read put off until the request's first DynamoDB call; `result` settles once it has been made. */
export interface DeferredRead<T> {
  read: ItemRead<T>;
  result: Promise<T | null>;
}

export interface Pending {
  read: ItemRead<unknown>;
  /** It must be read strongly (the batch it joins then is). */
  consistent?: boolean;
  settle(item: unknown): void;
  fail(e: unknown): void;
}

interface Scope {
  gate: Promise<unknown>;
  deferred: Pending[];
}

const scopes = new AsyncLocalStorage<Scope>();

/** A read to be sent with the first DynamoDB call of the scope it is run in (see `inRequestScope`). */
export function deferRead<T>(read: ItemRead<T>, consistent = false): DeferredRead<T> & { pending: Pending } {
  let settle!: (item: unknown) => void;
  let fail!: (e: unknown) => void;
  const result = new Promise<T | null>((resolve, reject) => {
    settle = (item) => resolve(item as T | null);
    fail = reject;
  });
  return { read, result, pending: { read, consistent, settle, fail } };
}

/**
 * Runs `work` with every DynamoDB write it makes held until `gate` resolves (and failing as it
 * does if it rejects), and `deferred` sent with its first DynamoDB call. Whatever `work` did not
 * send is sent when it is done, so `deferred` always settles.
 */
export async function inRequestScope<T>(
  document: DynamoDBDocumentClient,
  scope: { gate: Promise<unknown>; deferred: ReadonlyArray<DeferredRead<unknown> & { pending: Pending }> },
  work: () => Promise<T>,
): Promise<T> {
  const state: Scope = { gate: scope.gate, deferred: scope.deferred.map((d) => d.pending) };
  try {
    return await scopes.run(state, work);
  } finally {
    const left = state.deferred.splice(0);
    if (left.length) sendDeferred(document, left);
  }
}

/** The check this call's writes wait for, if any (the DynamoDB client's middleware asks it). */
export const writeGate = (): Promise<unknown> | undefined => scopes.getStore()?.gate;

/** The deferred reads of this call's scope not sent yet, now the caller's to send (at most `room`). */
export function takeDeferred(room = Infinity): Pending[] {
  const scope = scopes.getStore();
  if (!scope) return [];
  return scope.deferred.splice(0, room);
}

/** Whether a batch holding these deferred reads must be read strongly. */
export const needsConsistency = (reads: readonly Pending[]) => reads.some((r) => r.consistent);

/** Sends deferred reads on their own (one BatchGetItem), settling each. */
export function sendDeferred(document: DynamoDBDocumentClient, reads: Pending[]): void {
  // Outside the scope: this request is not one of the route's, and takes nothing deferred itself.
  scopes.exit(() =>
    batchGet(document, reads.map((r) => r.read), needsConsistency(reads)).then(
      (items) => reads.forEach((r, i) => r.settle(items[i])),
      (e: unknown) => reads.forEach((r) => r.fail(e)),
    ),
  );
}

/** The operations that change the table. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);
