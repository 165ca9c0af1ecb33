/**
 * Long-lived secrets the server hands out once and keeps only as hashes: webhook tokens and the
 * secret part of bot tokens (api.md "Integrations"). 51 random bytes are 68 base64url characters
 * (408 bits): far past guessing, so one SHA-256 (no salt, no stretching) is enough to make a
 * leaked table useless, unlike a password (docs/security.md "Webhook and bot tokens").
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const SECRET_BYTES = 51;
/** What a secret looks like: anything else is refused without a read. */
export const secretShape = /^[A-Za-z0-9_-]{68}$/;

/** A new secret and the hash to store for it. */
export function newSecret(): { secret: string; hash: string } {
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  return { secret, hash: hashSecret(secret) };
}

export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("base64url");

/** Whether `secret` is the one `stored` hashes, compared in constant time (no timing tells how much of it matched). */
export function secretMatches(secret: string, stored: string | undefined | null): boolean {
  if (!stored || !secretShape.test(secret)) return false;
  const given = Buffer.from(hashSecret(secret));
  const kept = Buffer.from(stored);
  return given.length === kept.length && timingSafeEqual(given, kept);
}
