import type { Context } from "hono";
import { foldCase } from "@agorusta/core/store";
import { addressBucket, limitFailures, type BruteForcePolicies } from "@agorusta/core/limits";
import type { Deps } from "../deps.ts";
import { clientAddress } from "./clientAddress.ts";

/**
 * Runs a credential check (login, join by password) under its brute-force limits: per target
 * (the email or server name, folded as the check compares it, so case games buy no extra
 * guesses) and per client address. Only failed checks stay counted, but for the per-address budget of a policy that keeps every
 * attempt there (joining by password).
 */
export function guardCredentials<T>(
  deps: Deps,
  c: Context,
  action: keyof BruteForcePolicies,
  target: string,
  check: () => Promise<T>,
): Promise<T> {
  const policy = deps.rateLimits[action];
  const counters = [
    { key: `${action}:target:${foldCase(target)}`, policy: policy.perTarget },
    { key: `${action}:address:${addressBucket(clientAddress(c))}`, policy: policy.perAddress, refund: policy.refundAddressOnSuccess },
  ];
  return limitFailures(deps.db, counters, check);
}
