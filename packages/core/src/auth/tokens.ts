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
const TOKEN_TTL_SECONDS = 7 * 24 * 3600;

export interface Tokens {
  issue(userId: string): Promise<string>;
  /** The user id, or `unauthorized` for anything but a valid, unexpired HS256 token of ours. */
  verify(token: string | undefined | null): Promise<string>;
}

export function createTokens(secret: string, scope: JwtScope = defaultScope): Tokens {
  if (secret.length < 32) throw new Error("The JWT secret must be at least 32 characters.");
  const key = new TextEncoder().encode(secret);
  return {
    issue: (userId) =>
      new SignJWT({})
        .setProtectedHeader({ alg: ALG, typ: "JWT" })
        .setSubject(userId)
        .setIssuer(scope.issuer)
        .setAudience(scope.audience)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
        .sign(key),
    async verify(token) {
      if (!token) throw new AppError("unauthorized");
      try {
        // The algorithm is pinned: `alg: none` or an asymmetric alg is refused, not trusted.
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALG],
          issuer: scope.issuer,
          audience: scope.audience,
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
