export const nowIso = () => new Date().toISOString();

/** An ISO timestamp `seconds` from now, and the same instant as the epoch seconds DynamoDB's TTL wants. */
export function expiryIn(seconds: number | undefined): { expiresAt?: string; ttl?: number } {
  if (seconds === undefined) return {};
  const at = Date.now() + seconds * 1000;
  return { expiresAt: new Date(at).toISOString(), ttl: Math.ceil(at / 1000) };
}

export const isExpired = (expiresAt: string | undefined | null, now = Date.now()) =>
  expiresAt != null && Date.parse(expiresAt) <= now;
