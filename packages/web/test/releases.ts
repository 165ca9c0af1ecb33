/**
 * Releases of the built web app, made in a copy of the build as a rebuild and a deploy would make
 * them, for tests of tabs that outlive a release (release.test.ts): a changed file gets a new
 * hashed name, and so does every hashed file that names it, in turn; the shell names the new
 * files; the version is new; the old files are gone (SST's deploy purges them).
 */
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { webRoot } from "./browser.ts";

/** A copy of the build, to publish releases in. */
export function copyOfBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), "agorusta-release-"));
  cpSync(webRoot, dir, { recursive: true });
  return dir;
}

const files = (dir: string) => (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
  .filter((e) => e.isFile())
  .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));

const isHashed = (file: string) => file.startsWith("_app/immutable/");
export const versionOf = (dir: string): string => JSON.parse(readFileSync(join(dir, "_app/version.json"), "utf8")).version;

/** The hashed file of the build whose path matches (one, or the test is wrong). */
export function fileOf(dir: string, pattern: RegExp): string {
  const found = files(dir).filter((f) => pattern.test(f));
  if (found.length !== 1) throw new Error(`${found.length} files of the build match ${pattern}: ${found.join(", ")}`);
  return found[0]!;
}

/**
 * Publishes a release in which `changed` (paths relative to the build) changed. Returns the
 * renamed files, old path to new.
 */
export function publishRelease(dir: string, changed: string[]): Map<string, string> {
  const all = files(dir);
  const text = new Map(all.filter((f) => /\.(js|css|html|json)$/.test(f)).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
  const oldVersion = versionOf(dir);
  const version = String(Number(oldVersion) + 1);
  // The bootstrap holds the version: a new release always has a new one.
  const queue = [...changed, ...all.filter((f) => /^_app\/immutable\/boot\./.test(f))];
  const renamed = new Map<string, string>();
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (renamed.has(file) || !isHashed(file)) continue;
    renamed.set(file, file.replace(/(\.[a-z]+)$/, `-${randomBytes(4).toString("hex")}$1`));
    for (const [other, content] of text) if (content.includes(basename(file))) queue.push(other);
  }
  for (const [file, content] of text) {
    let next = content.replaceAll(oldVersion, version);
    for (const [from, to] of renamed) next = next.replaceAll(basename(from), basename(to));
    if (next !== content) writeFileSync(join(dir, file), next);
  }
  for (const [from, to] of renamed) renameSync(join(dir, from), join(dir, to));
  return renamed;
}

/** A build whose file went missing without a new version: a broken deploy. */
export function removeFile(dir: string, file: string): void {
  rmSync(join(dir, file));
}
