import { SignJWT, jwtVerify } from "jose";
import { AppError } from "../errors.ts";

const ALG = "HS256";
const ISSUER = "agorusta";
/** A week: long enough not to log people out mid-conversation, short enough to bound a leak. */
const TOKEN_TTL_SECONDS = 7 * 24 * 3600;

export interface Tokens {
  issue(userId: string): Promise<string>;
  /** The user id, or `unauthorized` for anything but a valid, unexpired HS256 token of ours. */
  verify(token: string | undefined | null): Promise<string>;
}

export function createTokens(secret: string): Tokens {
  if (secret.length < 32) throw new Error("The JWT secret must be at least 32 characters.");
  const key = new TextEncoder().encode(secret);
  return {
    issue: (userId) =>
      new SignJWT({})
        .setProtectedHeader({ alg: ALG, typ: "JWT" })
        .setSubject(userId)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
        .sign(key),
    async verify(token) {
      if (!token) throw new AppError("unauthorized");
      try {
        // The algorithm is pinned: `alg: none` or an asymmetric alg is refused, not trusted.
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALG],
          issuer: ISSUER,
          requiredClaims: ["exp", "sub"],
        });
        if (typeof payload.sub !== "string" || !payload.sub) throw new Error("no subject");
        return payload.sub;
      } catch {
        throw new AppError("unauthorized", "Your session is invalid or has expired. Sign in again.");
      }
    },
  };
}
