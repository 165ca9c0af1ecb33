import { links } from "../packages/functions/src/lambda/links.ts";

/** Signs the session JWTs; set per stage with `npx sst secret set JwtSecret <value> --stage <stage>`. */
export const jwtSecret = new sst.Secret(links.jwtSecret);
