
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

/**
 * argon2, loaded at the first hash or check rather than at start: its native binary's load is
 * init time a Lambda pays on every cold start, and most cold starts serve no password route
 * (docs/performance.md, "Bundles").
 */
const importArgon2 = () => import("argon2").then((m) => m.default);
let argon2: ReturnType<typeof importArgon2> | undefined;
const loadArgon2 = () => (argon2 ??= importArgon2());

export async function hashPassword(plain: string): Promise<string> {
  const { hash, argon2id } = await loadArgon2();
  return hash(plain, { type: argon2id, ...cost });
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  // Outside the `try`: a binary that cannot load is a fault of the deployment, not a wrong password.
  const { verify } = await loadArgon2();
  try {
    return await verify(hash, plain);
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
