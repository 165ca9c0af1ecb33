/**
 * How the web app's build is cached, and what a path that names no file of it answers: one
 * source for the local runtime (packages/local/src/webApp.ts) and the deployed site (infra/web.ts,
 * S3 objects' Cache-Control and CloudFront). docs/decisions.md, "Caching and releases".
 *
 * A release replaces the build: files under `_app/immutable/` are named by their content's hash
 * and never change, every other file (the app shell `index.html`, `_app/version.json`, the shell
 * guard) keeps its name and changes with each release.
 */

/** The folder of SvelteKit's build output (scripts, styles, fonts, version.json). */
export const appDir = "_app";

/** Files named by their content's hash: a name always means the same bytes. */
export const hashedDir = `${appDir}/immutable`;

/** A hashed file: kept a year and never revalidated. */
export const immutableCacheControl = "public, max-age=31536000, immutable";

/**
 * Every other file, the app shell first: kept, but asked again each time (a 304 when unchanged),
 * so a tab never starts an old shell whose scripts a release removed.
 */
export const revalidateCacheControl = "no-cache";

/** The Cache-Control of a file of the build, by its path relative to the build's root (`_app/…`, `index.html`). */
export function cacheControlFor(file: string): string {
  return file.startsWith(`${hashedDir}/`) ? immutableCacheControl : revalidateCacheControl;
}

/**
 * Whether a URL path that names no file of the build is a missing file (404) rather than a route of
 * the app (the shell, which routes it in the browser). Only `/_app/…`: every file the build makes
 * lives there, while the app's own routes may hold a dot (`/invite/abc.`), and the deployed site
 * (SST's router) sends every other unknown path to the shell too.
 */
export function isMissingBuildFile(pathname: string): boolean {
  return pathname === `/${appDir}` || pathname.startsWith(`/${appDir}/`);
}
