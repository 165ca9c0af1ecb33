import argon2 from "argon2";

/** argon2id's cost: memory in KiB, passes, lanes. */
export interface PasswordCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** The library's defaults (m=64 MiB, t=3, p=4): ~90 ms a hash on our machines, both cores busy. */
export const PRODUCTION_COST: PasswordCost = { memoryCost: 65_536, timeCost: 3, parallelism: 4 };

let cost = PRODUCTION_COST;

/**
 * For the test run only (its vitest setup file): it makes thousands of accounts, and at the
 * production cost their hashes alone kept both cores busy for minutes. Nothing else calls it;
 * `npm start` and the Lambdas hash at `PRODUCTION_COST`, which a test checks, and a hash names
 * its own cost, so verifying works across both.
 */
export function setPasswordCostForTests(next: PasswordCost): void {
  cost = next;
}

export const hashPassword = (plain: string) => argon2.hash(plain, { type: argon2.argon2id, ...cost });

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password, verified against when the account does not exist, so a wrong
 * email costs the same time as a wrong password and does not reveal which accounts exist.
 */
let decoy: Promise<string> | undefined;
export const decoyHash = () => (decoy ??= hashPassword(crypto.randomUUID()));
