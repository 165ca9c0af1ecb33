import { links } from "../packages/functions/src/lambda/links.ts";

/** Signs the session JWTs; set per stage with `npx sst secret set JwtSecret <value> --stage <stage>`. */
export const jwtSecret = new sst.Secret(links.jwtSecret);

/**
 * The stage's Web Push (VAPID) private key, base64url; the public key is derived from it
 * (packages/functions/src/push/setup.ts). Set per stage, once: README, "Push".
 */
export const vapidKey = new sst.Secret(links.vapidKey);
