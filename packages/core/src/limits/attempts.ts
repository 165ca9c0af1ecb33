/**
 * Brute-force protection: fixed-window attempt counters in the table, so a limit holds across
 * every Lambda instance. A counter is one item per (key, window), bumped by an atomic ADD.
 */
import { createHash } from "node:crypto";
import ipaddr from "ipaddr.js";
import type { Db } from "../model/index.ts";
import { AppError } from "../errors.ts";

/** At most `limit` counted attempts per fixed window of `windowSeconds`. */
export interface RateLimitPolicy {
  limit: number;
  windowSeconds: number;
}

/** A credential check is limited per target (the account, the server name) and per client address. */
export interface CredentialPolicy {
  perTarget: RateLimitPolicy;
  perAddress: RateLimitPolicy;
  /**
   * Whether a success hands the per-address attempt back too. Not for joining by password: each
   * attempt is argon2 work on every live password of the server, and a refunded success would
   * let one client repeat it without end (docs/decisions.md, "Sessions and safety").
   */
  refundAddressOnSuccess: boolean;
}

const fifteenMinutes = 15 * 60;

/** The limits in force; the reasons for these numbers are in docs/decisions.md ("Brute-force protection"). */
export const bruteForcePolicies = {
  login: {
    perTarget: { limit: 10, windowSeconds: fifteenMinutes },
    perAddress: { limit: 50, windowSeconds: fifteenMinutes },
    refundAddressOnSuccess: true,
  },
  joinByPassword: {
    perTarget: { limit: 20, windowSeconds: fifteenMinutes },
    perAddress: { limit: 50, windowSeconds: fifteenMinutes },
    refundAddressOnSuccess: false,
  },
  /** The current password of a password change: like sign-in, per account and per address. */
  changePassword: {
    perTarget: { limit: 10, windowSeconds: fifteenMinutes },
    perAddress: { limit: 50, windowSeconds: fifteenMinutes },
    refundAddressOnSuccess: true,
  },
} satisfies Record<string, CredentialPolicy>;

export type BruteForcePolicies = { [K in keyof typeof bruteForcePolicies]: CredentialPolicy };

export interface Counter {
  key: string;
  policy: RateLimitPolicy;
  /** Handed back when the check succeeds (default); false: every attempt stays counted. */
  refund?: boolean;
}

/** A counted attempt: the exact item it went to, so a refund lands in the same window. */
interface Counted {
  key: string;
  window: string;
}

/** Counters outlive their window a little: a refund that arrives just after the window ends still finds its item. */
const TTL_GRACE_SECONDS = 60;

/**
 * Keys are hashed: any length and any characters (a 254-character NFKC-expanded email) fit
 * DynamoDB's key size, and the table holds no emails or addresses in the clear.
 */
export const counterKey = (key: string) => createHash("sha256").update(key).digest("base64url");

async function consume(db: Db, key: string, policy: RateLimitPolicy, now: number, lead = "Too many attempts."): Promise<Counted> {
  const index = Math.floor(now / 1000 / policy.windowSeconds);
  const endsAt = (index + 1) * policy.windowSeconds;
  // The window's length is part of its name, so two policies on one key never share a count.
  const counted = { key: counterKey(key), window: `${policy.windowSeconds}s:${index}` };
  const { data } = await db.entities.rateLimits
    .update(counted)
    .add({ count: 1 })
    .set({ ttl: endsAt + TTL_GRACE_SECONDS })
    .go({ response: "updated_new" });
  if ((data.count ?? 0) > policy.limit) {
    const retryAfter = Math.max(1, Math.ceil(endsAt - now / 1000));
    throw new AppError("rate_limited", `${lead} Try again in ${inWords(retryAfter)}.`, { retryAfter });
  }
  return counted;
}

const inWords = (seconds: number) =>
  seconds < 60 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minute${seconds > 60 ? "s" : ""}`;

/**
 * Counts one attempt under `key`; throws 429 `rate_limited` (with `retryAfter`) once the
 * window's count exceeds the policy's limit. The count is bumped before it is compared, so
 * any number of parallel attempts cannot slip past the limit together.
 */
export async function consumeAttempt(db: Db, key: string, policy: RateLimitPolicy, now = db.clock.now(), lead?: string): Promise<void> {
  await consume(db, key, policy, now, lead);
}

/**
 * Runs a credential check under counters so that only failures count: each counter is
 * consumed before the check (atomic, as above) and handed back when the check succeeds. A
 * person who mistypes a few times still gets in; a guessing run is refused before its guesses
 * are even checked (no argon2 work), with the longest wait any exhausted counter asks for.
 */
export async function limitFailures<T>(db: Db, counters: Counter[], check: () => Promise<T>, now = db.clock.now()): Promise<T> {
  const outcomes = await Promise.allSettled(counters.map((c) => consume(db, c.key, c.policy, now)));
  const refusals = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
  if (refusals.length) {
    const limited = refusals.filter((e): e is AppError => e instanceof AppError && e.code === "rate_limited");
    if (limited.length < refusals.length) throw refusals.find((e) => !limited.includes(e));
    throw limited.reduce((a, b) => ((a.retryAfter ?? 0) >= (b.retryAfter ?? 0) ? a : b));
  }
  const counted = outcomes.flatMap((o, i) => (o.status === "fulfilled" && counters[i]!.refund !== false ? [o.value] : []));
  const result = await check();
  await Promise.all(
    counted.map((c) =>
      db.entities.rateLimits
        .update(c)
        .subtract({ count: 1 })
        .go()
        // A lost refund only leaves one extra failure counted; it must not fail a correct login.
        .catch((e: unknown) => console.error("rate limit refund failed:", e)),
    ),
  );
  return result;
}

/**
 * What a client address is counted as. IPv6 clients usually hold a whole /64, so counting
 * single addresses would give one attacker 2^64 budgets; an IPv4-mapped address is its IPv4.
 * Parsing is ipaddr.js's (zones, `::` and embedded IPv4 included); what is no address (`unknown`)
 * is its own bucket.
 */
export function addressBucket(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const ip = ipaddr.process(address);
  if (ip.kind() === "ipv4") return ip.toString();
  return `${(ip as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16)).join(":")}::/64`;
}
