import type { TransactionItemCode } from "electrodb";

type Outcome = { canceled: boolean; data: ReadonlyArray<{ code: TransactionItemCode }> };

/**
 * Runs a write transaction, retrying while it only lost a race (TransactionConflict) to another
 * one on the same items. Returns null on success, else each item's cancellation code, in order.
 */
export async function transact(run: () => Promise<Outcome>, attempts = 8): Promise<TransactionItemCode[] | null> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await run();
    if (!outcome.canceled) return null;
    const codes = outcome.data.map((d) => d.code);
    const lostARace = codes.includes("TransactionConflict") && !codes.includes("ConditionalCheckFailed");
    if (!lostARace || attempt >= attempts) return codes;
    await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
  }
}

export const failed = (codes: TransactionItemCode[] | null, index: number) =>
  codes?.[index] === "ConditionalCheckFailed";


/** ElectroDB wraps the SDK's ConditionalCheckFailedException; look through the wrapping. */
export function isConditionalFailure(e: unknown): boolean {
  for (let err: any = e; err; err = err.cause) {
    if (err.name === "ConditionalCheckFailedException" || err.code === "ConditionalCheckFailedException") return true;
    if (typeof err.message === "string" && err.message.includes("The conditional request failed")) return true;
  }
  return false;
}

