/**
 * Caps on what is live in a server at once (api.md "Limits": 10 join passwords, 1000 invites),
 * enforced by the database rather than by counting first: see model/liveSlots.ts.
 */
import type { Db } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { assertCommitted, transact, type Write, type WriteEntities } from "../store/transactions.ts";

export type SlotKind = "serverPassword" | "invite";

/** Past this many slots a free one is found by random tries before reading them all. */
const READ_ALL_BELOW = 50;
const RANDOM_TRIES = 4;

interface Holder {
  serverId: string;
  kind: SlotKind;
  holderId: string;
  /** Epoch ms; absent: live until deleted. */
  expiresAtMs?: number | undefined;
}

/** The slots of the kind that are free now: never taken, or taken by something that has expired. */
async function freeSlots(db: Db, serverId: string, kind: SlotKind, cap: number, now: number): Promise<number[]> {
  const { data } = await db.entities.liveSlots.query
    .byServer({ serverId, kind })
    .go({ pages: "all", consistent: true, attributes: ["slot", "expiresAtMs"] });
  const held = new Set(data.filter((s) => s.expiresAtMs === undefined || s.expiresAtMs > now).map((s) => s.slot));
  return Array.from({ length: cap }, (_, i) => i).filter((i) => !held.has(i));
}

/**
 * Runs `writes` in one transaction with taking a slot of the server's `cap`; `cap` null (the
 * limits are off) writes them alone. A slot lost to a concurrent creation is tried again with
 * another; with none free, 409 `limit_reached`. Returns the refusals of `writes` (as `transact`)
 * and the slot taken, which the created item records so its deletion frees it.
 */
export async function withLiveSlot<Name extends string>(
  db: Db,
  holder: Holder,
  cap: number | null,
  what: string,
  writes: (entities: WriteEntities, slot: number | undefined) => Record<Name, Write>,
): Promise<{ refused: ReadonlySet<Name>; slot: number | undefined }> {
  if (cap === null) return { refused: await transact(db, (e) => writes(e, undefined)), slot: undefined };
  const now = db.clock.now();
  const tried = new Set<number>();
  let candidates: number[] =
    cap < READ_ALL_BELOW ? await freeSlots(db, holder.serverId, holder.kind, cap, now) : Array.from({ length: RANDOM_TRIES }, () => Math.floor(Math.random() * cap));
  let readAll = cap < READ_ALL_BELOW;
  for (;;) {
    const slot = candidates.find((s) => !tried.has(s));
    if (slot === undefined) {
      if (readAll) throw new AppError("limit_reached", `A server can have at most ${cap} ${what} at once. Delete one first.`);
      // The random tries all hit taken slots: the server is nearly full, so read which are free.
      readAll = true;
      candidates = await freeSlots(db, holder.serverId, holder.kind, cap, now);
      continue;
    }
    tried.add(slot);
    const refused = await transact(db, (e) => ({
      ...writes(e, slot),
      slot: e.liveSlots
        .put({
          serverId: holder.serverId,
          kind: holder.kind,
          slot,
          holderId: holder.holderId,
          ...(holder.expiresAtMs !== undefined ? { expiresAtMs: holder.expiresAtMs, ttl: Math.ceil(holder.expiresAtMs / 1000) } : {}),
        })
        .where((a, op) => `${op.notExists(a.holderId)} OR ${op.lte(a.expiresAtMs, now)}`)
        .commit(),
    }));
    // Another of the writes' conditions failed too (the server is being deleted, say): that
    // refusal is the answer, whatever slot is tried next.
    if (!refused.has("slot" as Name) || refused.size > 1) return { refused: refused as ReadonlySet<Name>, slot };
  }
}

/**
 * Deletes an item and frees the slot it holds, in one transaction; a slot since taken by another
 * (the item had expired) is left to its new holder. `slot` null: the item holds none.
 */
export async function deleteFreeingSlot(
  db: Db,
  slot: { serverId: string; kind: SlotKind; slot: number; holderId: string } | null,
  remove: (entities: WriteEntities) => Write,
): Promise<void> {
  if (slot) {
    const refused = await transact(db, (e) => ({ item: remove(e), slot: freeSlot(e, slot.serverId, slot.kind, slot.slot, slot.holderId) }));
    if (!refused.has("slot")) return assertCommitted(refused, "deleteFreeingSlot");
  }
  assertCommitted(await transact(db, (e) => ({ item: remove(e) })), "deleteFreeingSlot");
}

/**
 * The write that frees a deleted item's slot, if it holds one (it was created with the limits
 * on) and still holds it (an expired holder's slot may have been taken since: then it is left).
 */
export const freeSlot = (e: WriteEntities, serverId: string, kind: SlotKind, slot: number, holderId: string) =>
  e.liveSlots.delete({ serverId, kind, slot }).where((a, op) => op.eq(a.holderId, holderId)).commit();
