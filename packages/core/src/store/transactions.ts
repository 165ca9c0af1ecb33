import type { TransactionItemCode } from "electrodb";

/**
 * What `transact` needs of the `Db` service: ElectroDB's write transaction, whose entities (`E`)
 * and writes (`W`) are the service's own (`WriteEntities` and `Write`, model/index.ts). Written
 * structurally so that the store, which the model is built on, never imports the model.
 */
export interface Transactions<E, W> {
  transaction: {
    write(build: (entities: E) => W[]): { go(): Promise<{ canceled: boolean; data: unknown }> };
  };
}

/**
 * Runs writes as one DynamoDB transaction. The writes are named, and the answer is the set of
 * names whose condition failed (empty when the transaction committed), so what a refusal
 * means follows the write, never its position in the list:
 *
 *     const refused = await transact(db, ({ uniques, users }) => ({
 *       emailGuard: uniques.create(...).commit(),
 *       user: users.create(user).commit(),
 *     }));
 *     if (refused.has("emailGuard")) throw new AppError("email_taken");
 *     assertCommitted(refused, "register");
 *
 * A transaction that only lost a race (TransactionConflict) to another one on the same items is
 * retried; any other cancellation (validation, throttling, conflicts past the retries) throws.
 */
export async function transact<E, W, Name extends string>(
  db: Transactions<E, W>,
  writes: (entities: E) => Record<Name, W>,
  attempts = 8,
): Promise<ReadonlySet<Name>> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await transactOnce(db, writes);
    if (outcome.committed || outcome.refused.size) return outcome.refused;
    if (outcome.lostARace && attempt >= attempts) throw new TransactionConflict(outcome.detail);
    if (!outcome.lostARace) throw new Error(`transaction canceled: ${outcome.detail}`);
    await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
  }
}

/** How many times a change that reads, checks and writes on a condition tries before giving up. */
export const CHECKED_ATTEMPTS = 12;

/**
 * Before a change that lost its condition to a concurrent one (a server's roles `version`, a
 * head's `seq`) reads again and rebuilds: a jittered wait that grows with each loss, so that
 * people editing one server at once take turns instead of all failing again at the next try (ten
 * concurrent role grants failed the eighth immediate retry). Past `CHECKED_ATTEMPTS`, a fault.
 */
export async function beforeRetrying(attempt: number, what: string): Promise<void> {
  if (attempt >= CHECKED_ATTEMPTS) throw new Error(`${what}: lost to concurrent changes ${attempt} times`);
  await new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** Math.min(attempt, 7)));
}

/** One try of a transaction: what `transact` retries, and what a caller that rebuilds its writes (the change feed) sends. */
export interface Outcome<Name extends string> {
  committed: boolean;
  /** The writes whose condition failed. */
  refused: ReadonlySet<Name>;
  /**
   * Of those, the item as it stood when the condition failed, for a write committed with
   * `.commit({ response: "all_old" })` (DynamoDB's ReturnValuesOnConditionCheckFailure: ALL_OLD):
   * what the caller would otherwise read again. Absent: the item does not exist.
   */
  current: ReadonlyMap<Name, unknown>;
  /** Canceled only because another transaction held an item (TransactionConflict). */
  lostARace: boolean;
  detail: string;
}

export async function transactOnce<E, W, Name extends string>(db: Transactions<E, W>, writes: (entities: E) => Record<Name, W>): Promise<Outcome<Name>> {
  let names: Name[] = [];
  const outcome = await db.transaction
    .write((entities) => {
      const named = writes(entities);
      names = Object.keys(named) as Name[];
      return names.map((name) => named[name]);
    })
    .go();
  if (!outcome.canceled) return { committed: true, refused: new Set(), current: new Map(), lostARace: false, detail: "" };
  const reasons = outcome.data as ReadonlyArray<{ code: TransactionItemCode; item?: unknown }>;
  const refusedAt = names.flatMap((name, i) => (reasons[i]?.code === "ConditionalCheckFailed" ? [[name, reasons[i]!.item] as const] : []));
  return {
    committed: false,
    refused: new Set(refusedAt.map(([name]) => name)),
    current: new Map(refusedAt.filter(([, item]) => item != null) as [Name, unknown][]),
    lostARace: reasons.some((r) => r.code === "TransactionConflict"),
    detail: names.map((n, i) => `${n}=${reasons[i]?.code}`).join(", "),
  };
}

/**
 * A transaction that still lost the race to another one on the same items after its attempts.
 * A caller that rebuilds its writes from fresh reads (the change feed's sequence) retries on it.
 */
export class TransactionConflict extends Error {
  constructor(detail: string) {
    super(`transaction canceled: ${detail}`);
    this.name = "TransactionConflict";
  }
}

/** For the refusals a caller did not expect: a condition failed that no rule explains. */
export function assertCommitted(refused: ReadonlySet<string>, what: string): void {
  if (refused.size) throw new Error(`${what}: transaction refused by ${[...refused].join(", ")}`);
}

/** ElectroDB wraps the SDK's ConditionalCheckFailedException; look through the wrapping. */
export function isConditionalFailure(e: unknown): boolean {
  for (let err: any = e; err; err = err.cause) {
    if (err.name === "ConditionalCheckFailedException" || err.code === "ConditionalCheckFailedException") return true;
    if (typeof err.message === "string" && err.message.includes("The conditional request failed")) return true;
  }
  return false;
}
