/**
 * Caps on what is live in a server at once (api.md "Limits": 10 join passwords, 1000 invites),
 * enforced by the database rather than by counting first: see model/liveSlots.ts.
 */
import type { Db, Write, WriteEntities } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { assertCommitted, transact } from "../store/transactions.ts";

/**
 * A pool of slots: a server's join passwords, a server's invites, or one member's own invites
 * (`invite:<userId>`, in the server's partition too, so the purge of the server takes them).
 */
export type SlotKind = "serverPassword" | "invite" | `invite:${string}`;

/** The pool of one member's own invites in a server. */
export const memberInvitesKind = (userId: string): SlotKind => `invite:${userId}`;

/** One cap to take a slot under: slots `0 … cap-1` of `kind`; `full` is what a refusal says. */
export interface Pool {
  kind: SlotKind;
  cap: number;
  full: string;
}

/** Past this many slots a free one is found by random tries before reading them all. */
const READ_ALL_BELOW = 50;
const RANDOM_TRIES = 4;

interface Holder {
  serverId: string;
  holderId: string;
  /** Epoch ms; absent: live until deleted. */
  expiresAtMs?: number | undefined;
}

/** The slots of the pool that are free now (never taken, or taken by something that has expired), in random order. */
async function freeSlots(db: Db, serverId: string, pool: Pool, now: number): Promise<number[]> {
  const { data } = await db.entities.liveSlots.query
    .byServer({ serverId, kind: pool.kind })
    .go({ pages: "all", consistent: true, attributes: ["slot", "expiresAtMs"] });
  const held = new Set(data.filter((s) => s.expiresAtMs === undefined || s.expiresAtMs > now).map((s) => s.slot));
  // Shuffled: creators racing for the last few slots then rarely contend for the same one.
  return shuffle(Array.from({ length: pool.cap }, (_, i) => i).filter((i) => !held.has(i)));
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The names the slot puts take in the transaction, beside the caller's writes. */
const slotWrite = (i: number) => `liveSlot${i}`;

/**
 * Runs `writes` in one transaction with taking a slot of each pool (a member's invite takes one
 * of the server's and one of their own); `pools` null (the limits are off) writes them alone. A
 * slot lost to a concurrent creation is tried again with another of its pool; a pool with none
 * free is 409 `limit_reached`, with its `full` sentence. Returns the refusals of `writes` (as
 * `transact`) and the slot taken in each pool, which the created item records so its deletion
 * frees them.
 */
export async function withLiveSlots<Name extends string>(
  db: Db,
  holder: Holder,
  pools: readonly Pool[] | null,
  writes: (entities: WriteEntities, slots: readonly number[]) => Record<Name, Write>,
): Promise<{ refused: ReadonlySet<Name>; slots: readonly number[] }> {
  if (pools === null) return { refused: await transact(db, (e) => writes(e, [])), slots: [] };
  const now = db.clock.now();
  const state = await Promise.all(
    pools.map(async (pool) => {
      const readAll = pool.cap < READ_ALL_BELOW;
      const candidates = readAll ? await freeSlots(db, holder.serverId, pool, now) : Array.from({ length: RANDOM_TRIES }, () => Math.floor(Math.random() * pool.cap));
      return { pool, readAll, candidates, tried: new Set<number>() };
    }),
  );
  for (;;) {
    const slots: number[] = [];
    for (const s of state) {
      let slot = s.candidates.find((c) => !s.tried.has(c));
      if (slot === undefined && !s.readAll) {
        // The random tries all hit taken slots: the pool is nearly full, so read which are free.
        s.readAll = true;
        s.candidates = await freeSlots(db, holder.serverId, s.pool, now);
        slot = s.candidates.find((c) => !s.tried.has(c));
      }
      if (slot === undefined) throw new AppError("limit_reached", s.pool.full);
      slots.push(slot);
    }
    const refused = await transact(db, (e) => ({
      ...writes(e, slots),
      ...Object.fromEntries(
        state.map((s, i) => [
          slotWrite(i),
          e.liveSlots
            .put({
              serverId: holder.serverId,
              kind: s.pool.kind,
              slot: slots[i]!,
              holderId: holder.holderId,
              ...(holder.expiresAtMs !== undefined ? { expiresAtMs: holder.expiresAtMs, ttl: Math.ceil(holder.expiresAtMs / 1000) } : {}),
            })
            .where((a, op) => `${op.notExists(a.holderId)} OR ${op.lte(a.expiresAtMs, now)}`)
            .commit(),
        ]),
      ),
    }));
    const lost = state.filter((_, i) => refused.has(slotWrite(i)));
    // Another of the writes' conditions failed (the server is being deleted, say): that refusal
    // is the answer, whatever slot is tried next.
    const theirs = new Set([...refused].filter((name): name is Name => !state.some((_, i) => name === slotWrite(i))));
    if (!lost.length || theirs.size) return { refused: theirs, slots };
    // The slots lost go; those taken by nobody meanwhile are tried again with the others' next ones.
    for (const s of lost) s.tried.add(slots[state.indexOf(s)]!);
  }
}

/** A slot an item holds (the kind and number it recorded when created). */
export interface HeldSlot {
  kind: SlotKind;
  slot: number;
}

/**
 * Deletes an item and frees the slots it holds, in one transaction; a slot since taken by
 * another (the item had expired) is left to its new holder.
 */
export async function deleteFreeingSlots(
  db: Db,
  holder: { serverId: string; holderId: string; slots: readonly HeldSlot[] },
  remove: (entities: WriteEntities) => Write,
  /** Writes that commit with the removal (its audit entry). */
  also: (entities: WriteEntities) => Record<string, Write> = () => ({}),
): Promise<void> {
  let slots = holder.slots;
  for (;;) {
    const refused = await transact(db, (e): Record<string, Write> => ({
      ...also(e),
      item: remove(e),
      ...Object.fromEntries(slots.map((s, i) => [slotWrite(i), freeSlot(e, holder.serverId, s.kind, s.slot, holder.holderId)])),
    }));
    const taken = slots.filter((_, i) => refused.has(slotWrite(i)));
    if (!taken.length) return assertCommitted(refused, "deleteFreeingSlots");
    slots = slots.filter((s) => !taken.includes(s));
  }
}

/**
 * The write that frees a deleted item's slot, if it still holds it (an expired holder's slot may
 * have been taken since: then it is left).
 */
export const freeSlot = (e: WriteEntities, serverId: string, kind: SlotKind, slot: number, holderId: string) =>
  e.liveSlots.delete({ serverId, kind, slot }).where((a, op) => op.eq(a.holderId, holderId)).commit();
