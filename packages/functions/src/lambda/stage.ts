/**
 * What a stage's tokens say about where they come from. Plain data: infra and the Lambdas agree
 * on it through this file.
 */
import type { JwtScope } from "@agorusta/core/auth";

/** `iss` names the stage that signed, `aud` the API that accepts: a `dev` token is refused by `prod`. */
export const jwtScope = (app: string, stage: string): JwtScope => ({
  issuer: `${app}:${stage}`,
  audience: `${app}:${stage}:api`,
});
