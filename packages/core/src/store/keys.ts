import { createHash } from "node:crypto";

/** How a name is compared for uniqueness and search: Unicode-normalised and lower-cased. */
export const foldCase = (s: string) => s.normalize("NFKC").toLowerCase();

/**
 * The value a uniqueness guard is keyed by: the folded name, readable, while it fits well inside
 * DynamoDB's 2 KB partition key; past that (NFKC turns "ﷺ" into 18 letters; a grapheme can carry
 * hundreds of combining marks), its SHA-256, which keeps it just as unique.
 */
export function guardValue(name: string, scope = ""): string {
  const folded = scope + foldCase(name);
  return Buffer.byteLength(folded) <= 512 ? folded : `sha256:${createHash("sha256").update(folded).digest("base64url")}`;
}
