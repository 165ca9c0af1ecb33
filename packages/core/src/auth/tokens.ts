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
        return { userId: payload.sub, sessionId: payload.jti, expiresAt: payload.exp! };
      } catch {
        throw new AppError("unauthorized", "Your session is invalid or has expired. Sign in again.");
      }
    },
  };
}
