/**
 * After `vite build`: moves SvelteKit's inline bootstrap `<script>` out of every built page into
 * a file of its own under `_app/immutable/`, named by its hash, so the Content-Security-Policy can
 * say `script-src 'self'` with no hash or nonce that changes per build (docs/security.md,
 * "Headers"). Fails the build if an inline script is left, or if there was none to move (the
 * shape of SvelteKit's output changed and this needs a look).
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const build = fileURLToPath(new URL("../build/", import.meta.url));
const inline = /<script>([\s\S]*?)<\/script>/g;

const pages = (readdirSync(build, { recursive: true }) as string[]).filter((f) => f.endsWith(".html"));
let moved = 0;
for (const page of pages) {
  const file = join(build, page);
  const html = readFileSync(file, "utf8").replace(inline, (_, code: string) => {
    const name = `_app/immutable/boot.${createHash("sha256").update(code).digest("hex").slice(0, 12)}.js`;
    writeFileSync(join(build, name), code.trim() + "\n");
    moved++;
    // A classic (not module) script, so `document.currentScript` still names it, as the bootstrap expects.
    return `<script src="/${name}"></script>`;
  });
  if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) throw new Error(`${relative(build, file)} still has an inline script`);
  writeFileSync(file, html);
}
if (moved === 0) throw new Error(`No inline bootstrap found in ${pages.join(", ") || "build/"}: has SvelteKit's output changed?`);
console.log(`Moved ${moved} inline script(s) out of ${pages.length} page(s).`);
