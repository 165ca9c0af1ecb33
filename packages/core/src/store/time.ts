/**
 * The one clock of the domain. Every Lambda has its own, and they disagree by seconds: nothing
 * that must be exact (the order of a conversation's changes, who wins a race) is read from it.
 * It only stamps what people see (`createdAt`, `editedAt`), the time part of new ids, and TTLs.
 * The seam exists so tests can run writers whose clocks are skewed (docs/decisions.md, "Change feeds").
 */
export interface Clock {
  /** Epoch milliseconds, as `Date.now()`. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock `offsetMs` ahead of (or, negative, behind) the system's: a Lambda whose host drifts. */
export const skewedClock = (offsetMs: number): Clock => ({ now: () => Date.now() + offsetMs });

/**
 * The clock is always passed (a `Db` carries its writer's: `db.clock`), never defaulted: a
 * default is how call sites came to stamp items with the system clock behind the seam's back.
 */
export const nowIso = (clock: Clock) => new Date(clock.now()).toISOString();

/** Whole epoch seconds, as DynamoDB's TTL and the presence counts keep time. */
export const epochSeconds = (clock: Clock) => Math.floor(clock.now() / 1000);

/** An ISO timestamp `seconds` from now, and the same instant as the epoch seconds DynamoDB's TTL wants. */
export function expiryIn(seconds: number | undefined, clock: Clock): { expiresAt?: string; ttl?: number } {
  if (seconds === undefined) return {};
  const at = clock.now() + seconds * 1000;
  return { expiresAt: new Date(at).toISOString(), ttl: Math.ceil(at / 1000) };
}

/** Whether an ISO `expiresAt` has passed at `nowMs` (absent: it never expires). */
export const isExpired = (expiresAt: string | undefined | null, nowMs: number) =>
  expiresAt != null && Date.parse(expiresAt) <= nowMs;
