import { createSecretKey } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import { AppError } from "../errors.ts";

const ALG = "HS256";

/**
 * Who issues a token and who may accept it. Each stage has its own (packages/functions/src/lambda/stage.ts),
 * so a token of one stage is refused by another even if both were given the same secret.
 */
export interface JwtScope {
  issuer: string;
  audience: string;
}

/** Verified tokens kept per process; the oldest goes first. */
const VERIFIED_TOKENS = 1000;

const defaultScope: JwtScope = { issuer: "agorusta", audience: "agorusta" };
/** A week: long enough not to log people out mid-conversation, short enough to bound a leak. */
export const TOKEN_TTL_SECONDS = 7 * 24 * 3600;

/** What a valid token says: whose it is, which session (its `jti`), and when it expires (epoch seconds). */
export interface TokenClaims {
  userId: string;
  sessionId: string;
  expiresAt: number;
}

export interface Tokens {
  /** Signs a token for this session; `expiresAt` is epoch seconds. */
  issue(claims: TokenClaims): Promise<string>;
  /**
   * The claims, or `unauthorized` for anything but a valid, unexpired HS256 token of ours. The
   * signature alone does not make a session: `requireOpen` (sessions.ts) asks the table too.
   */
  verify(token: string | undefined | null): Promise<TokenClaims>;
}

export function createTokens(secret: string, scope: JwtScope = defaultScope): Tokens {
  if (secret.length < 32) throw new Error("The JWT secret must be at least 32 characters.");
  // A KeyObject, made once: given bytes, jose makes one on every sign and verify (a fifth of a verify's CPU).
  const key = createSecretKey(new TextEncoder().encode(secret));
  /**
   * Tokens whose signature and claims this process has checked, with what they say: a person's
   * every request carries the same token, and its HMAC check through WebCrypto was the largest
   * single cost of a send's own code (docs/performance.md, "Session 10"). Only the exact string
   * that passed is known, so nothing unsigned gets in; a known token still expires at its `exp`,
   * and a session ended is refused by `requireOpen`'s read, which never depended on this.
   */
  const verified = new Map<string, TokenClaims>();
  return {
    issue: ({ userId, sessionId, expiresAt }) =>
      new SignJWT({})
        .setProtectedHeader({ alg: ALG, typ: "JWT" })
        .setSubject(userId)
        .setJti(sessionId)
        .setIssuer(scope.issuer)
        .setAudience(scope.audience)
        .setIssuedAt()
        .setExpirationTime(expiresAt)
        .sign(key),
    async verify(token) {
      if (!token) throw new AppError("unauthorized");
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt > Date.now() / 1000) return known;
        verified.delete(token);
        throw new AppError("unauthorized", "Your session is invalid or has expired. Sign in again.");
      }
      try {
        // The algorithm is pinned: `alg: none` or an asymmetric alg is refused, not trusted.
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALG],
          issuer: scope.issuer,
          audience: scope.audience,
          requiredClaims: ["exp", "sub", "jti"],
        });
        if (typeof payload.sub !== "string" || !payload.sub) throw new Error("no subject");
        if (typeof payload.jti !== "string" || !payload.jti) throw new Error("no session");
        const claims = { userId: payload.sub, sessionId: payload.jti, expiresAt: payload.exp! };
        if (verified.size >= VERIFIED_TOKENS) verified.delete(verified.keys().next().value!);
        verified.set(token, claims);
        return claims;
      } catch {
        throw new AppError("unauthorized", "Your session is invalid or has expired. Sign in again.");
      }
    },
  };
}
