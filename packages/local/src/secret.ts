import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The data folder holds every hash, message and the JWT secret: readable by its owner only.
 * Also tightens a folder made before this rule (or by hand).
 */
export function ownerOnlyDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/**
 * A local secret (the JWT secret; with `make`, the VAPID private key): made on first start, kept
 * in the data folder so sessions and push subscriptions survive restarts.
 */
export function loadOrCreateSecret(file: string, make: () => string = () => randomBytes(48).toString("base64url")): string {
  ownerOnlyDir(dirname(file));
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return readFileSync(file, "utf8").trim();
  }
  const secret = make();
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
