/**
 * Writes that wait for a check. A signed-in request's session read (is this token's session
 * still open?) need not hold up the request's own reads: they reveal nothing until it answers,
 * since no write goes out before the check has passed and no answer leaves before it either
 * (functions/src/http/requireUser.ts). This saves every signed-in request one round trip.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const gates = new AsyncLocalStorage<Promise<unknown>>();

/** Runs `work` with every DynamoDB write it makes held until `check` resolves, and failing as it does if it rejects. */
export const writesAfter = <T>(check: Promise<unknown>, work: () => T): T => gates.run(check, work);

/** The check this call's writes wait for, if any (the DynamoDB client's middleware asks it). */
export const writeGate = (): Promise<unknown> | undefined => gates.getStore();

/** The operations that change the table. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);
