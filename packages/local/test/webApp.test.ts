/**
 * The built web app as the local runtime serves it: hashed files for a year, the shell and every
 * other file asked again each time, a missing `/_app/…` file a 404 (never the shell, which a
 * browser would run as a script and show a blank page), every other path the shell.
 * docs/decisions.md, "Caching and releases". The real build, through the whole runtime and in
 * Chromium: packages/web/test/headers.test.ts and release.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webApp } from "../src/webApp.ts";

const shell = '<!doctype html><script src="/_app/immutable/boot.abc123.js"></script>';
let app: ReturnType<typeof webApp>;
const root = mkdtempSync(join(tmpdir(), "agorusta-build-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  const files: Record<string, string> = {
    "index.html": shell,
    "_app/version.json": '{"version":"1"}',
    "_app/immutable/boot.abc123.js": "console.log('boot')",
    "_app/immutable/entry/start.Bx12.js": "export {}",
    "_app/immutable/assets/0.Cd34.css": "body{}",
  };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }
  app = webApp(root);
});

describe("the local runtime's web app", () => {
  it("serves the shell for the root and for every route of the app, asked again each time", async () => {
    for (const path of ["/", "/index.html", "/servers/01J/channels/01K", "/invite/abc.", "/login"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type"), path).toMatch(/^text\/html/);
      expect(res.headers.get("cache-control"), path).toBe("no-cache");
      expect(await res.text(), path).toBe(shell);
    }
  });

  it("keeps hashed files a year, immutable, and asks again for the rest of the build", async () => {
    for (const path of ["/_app/immutable/boot.abc123.js", "/_app/immutable/entry/start.Bx12.js", "/_app/immutable/assets/0.Cd34.css"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("public, max-age=31536000, immutable");
    }
    const version = await app.request("/_app/version.json");
    expect(version.headers.get("cache-control")).toBe("no-cache");
    expect(await version.json()).toEqual({ version: "1" });
  });

  it("answers a missing file of the build 404, not the shell, for GET and HEAD", async () => {
    for (const path of ["/_app/immutable/chunks/Gone12.js", "/_app/immutable/assets/9.Gone.css", "/_app/immutable/boot.old.js", "/_app/env.js", "/_app/", "/_app"]) {
      for (const method of ["GET", "HEAD"]) {
        const res = await app.request(path, { method });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.headers.get("content-type"), path).not.toMatch(/html/);
        expect(res.headers.get("cache-control"), path).toBe("no-cache");
      }
    }
  });

  it("answers a repeated request for an unchanged shell with 304, keeping its Cache-Control", async () => {
    const first = await app.request("/servers/01J");
    const tag = first.headers.get("etag");
    expect(tag).toMatch(/^"[0-9a-f]+"$/);
    const again = await app.request("/", { headers: { "if-none-match": tag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get("cache-control")).toBe("no-cache");
    expect(await again.text()).toBe("");
  });
});
