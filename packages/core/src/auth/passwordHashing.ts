import argon2 from "argon2";

/** argon2id with the library's defaults (m=64 MiB, t=3, p=4): ~90 ms a hash on our machines. */
export const hashPassword = (plain: string) => argon2.hash(plain, { type: argon2.argon2id });

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
