/**
 * Idempotent sends (api.md "Idempotent sends"): a `messageNonce` guard per author, conversation
 * and nonce, put in the send's own transaction. A repeat within 24 hours finds the guard taken,
 * stores nothing, and answers with the message the guard points at.
 */
import type { Db, Write, WriteEntities } from "../model/index.ts";

export const NONCE_TTL_SECONDS = 24 * 60 * 60;

export interface NonceKey {
  conversationId: string;
  authorId: string;
  nonce: string;
}

const guardKey = (k: NonceKey) => ({ kind: "messageNonce" as const, value: `${k.conversationId}#${k.authorId}#${k.nonce}` });

/**
 * Claims the nonce for `messageId`. A guard past its TTL counts as free even before DynamoDB's
 * sweeper has deleted it (which can take days), so the 24 hours hold either way.
 */
export function claimNonce(tx: WriteEntities, db: Db, key: NonceKey, messageId: string): Write {
  const nowSeconds = Math.floor(db.clock.now() / 1000);
  return tx.uniques
    .put({ ...guardKey(key), holderId: messageId, ttl: nowSeconds + NONCE_TTL_SECONDS })
    .where((a, op) => `${op.notExists(a.holderId)} OR ${op.lte(a.ttl, nowSeconds)}`)
    .commit();
}

/** The id of the message first sent with this nonce (the guard is read strongly: it was just refused). */
export async function firstSentWith(db: Db, key: NonceKey): Promise<string | null> {
  const { data } = await db.entities.uniques.get(guardKey(key)).go({ consistent: true });
  return data?.holderId ?? null;
}
