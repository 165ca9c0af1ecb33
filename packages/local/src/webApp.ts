import { relative } from "node:path";
import { Hono } from "hono";
import { etag } from "hono/etag";
import { serveStatic } from "@hono/node-server/serve-static";
import { cacheControlFor, isMissingBuildFile, revalidateCacheControl } from "@agorusta/functions/http/webCaching";

/**
 * The built web app (adapter-static output in `root`), served as CloudFront serves it deployed
 * (infra/web.ts): each file with its Cache-Control (hashed files for a year, everything else asked
 * again each time, with an ETag so that costs a 304), a missing `/_app/…` file as 404, and every
 * other path as the app shell, which routes it in the browser (`/servers/…`, `/invite/…`).
 *
 * A missing script answered with the shell (200, text/html) used to leave a tab that held an old
 * shell blank after a rebuild: docs/decisions.md, "Caching and releases".
 */
export function webApp(root: string): Hono<{ Variables: { file: string } }> {
  // serveStatic names the file it found before its answer exists; the header goes on once it does.
  const remember = (file: string, c: { set(key: "file", file: string): void }) => c.set("file", file);
  return new Hono<{ Variables: { file: string } }>()
    .use(etag())
    .use(async (c, next) => {
      await next();
      const file = c.get("file");
      if (file) c.res.headers.set("cache-control", cacheControlFor(relative(root, file)));
    })
    .get("/*", serveStatic({ root, onFound: remember }))
    .get("/*", (c, next) => (isMissingBuildFile(c.req.path) ? c.text("Not found", 404, { "cache-control": revalidateCacheControl }) : next()))
    .get("/*", serveStatic({ root, path: "index.html", onFound: remember }));
}
