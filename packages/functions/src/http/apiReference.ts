/**
 * Where the `/docs` page's script lives (routes/reference.ts): Scalar's standalone bundle
 * (4.9 MB), copied into the web app's build by packages/web/scripts/api-reference.ts and served
 * with the web app's other files (CloudFront deployed, the local runtime under `npm start`), so
 * the API Lambda does not carry it. Plain data: the web build reads it too.
 */

/** Its path on the web app's origin. */
export const apiReferenceScriptPath = "/api-reference/scalar.js";

/** The installed file, relative to `@scalar/api-reference`'s entry (the package exports no path to it). */
export const apiReferenceScriptFromEntry = "browser/standalone.js";
