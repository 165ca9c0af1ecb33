/**
 * What one request's DynamoDB calls share: the check its writes wait for, and the reads it has
 * put off so that they travel with its first request. A signed-in request's session read (is
 * this token's session still open?) is both: it goes out inside the route's first BatchGetItem
 * (or beside its first other request, or alone at the end), the route's reads do not wait for it
 * since they reveal nothing until it answers, and no write goes out before it has passed — nor
 * does any answer (functions/src/http/requireUser.ts). A signed-in request saves a round trip,
 * and one request when the route reads with `readTogether`.
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
  /** Its first DynamoDB call has taken the deferred reads: a read put off now would wait for nothing. */
  started: boolean;
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
 * One item, read strongly: inside the BatchGetItem of the request's first DynamoDB call when that
 * call has not gone out yet (a send's recipients lookup rides with its authorization reads),
 * else on its own. One that no call has taken by the next turn of the event loop goes on its
 * own then, so nothing waits on a call that may never come.
 */
export function readBeside<T>(document: DynamoDBDocumentClient, read: ItemRead<T>): Promise<T | null> {
  const scope = scopes.getStore();
  if (!scope || scope.started) return batchGet(document, [read], true).then(([item]) => item as T | null);
  const { result, pending } = deferRead(read, true);
  scope.deferred.push(pending);
  setImmediate(() => {
    const left = scope.deferred.indexOf(pending);
    if (left >= 0) sendDeferred(document, scope.deferred.splice(left, 1));
  });
  return result;
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
  const state: Scope = { gate: scope.gate, deferred: scope.deferred.map((d) => d.pending), started: false };
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
  scope.started = true;
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
