/**
 * After `vite build`: bundles the shell guard (src/shellGuard.ts) into `_app/shell-guard.js`, a
 * name every release keeps, and makes it the first script of every built page, so that a page
 * whose own scripts a release removed still has something that notices (docs/decisions.md,
 * "Caching and releases"). Not under `_app/immutable/`: it is asked again at each load.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const build = fileURLToPath(new URL("../build/", import.meta.url));
const guard = "_app/shell-guard.js";

buildSync({
  entryPoints: [fileURLToPath(new URL("../src/shellGuard.ts", import.meta.url))],
  bundle: true,
  format: "iife",
  minify: true,
  target: "es2020",
  outfile: join(build, guard),
  logLevel: "warning",
});

const charset = /<meta charset="[^"]*"\s*\/?>/i;
const pages = (readdirSync(build, { recursive: true }) as string[]).filter((f) => f.endsWith(".html"));
for (const page of pages) {
  const file = join(build, page);
  const html = readFileSync(file, "utf8");
  if (!charset.test(html)) throw new Error(`${relative(build, file)} has no <meta charset>: where does the shell guard go?`);
  // Classic and blocking: it listens before any of the page's scripts, stylesheets or preloads can fail.
  writeFileSync(file, html.replace(charset, (meta) => `${meta}\n    <script src="/${guard}"></script>`));
}
console.log(`Shell guard ${guard} loaded first in ${pages.length} page(s).`);
