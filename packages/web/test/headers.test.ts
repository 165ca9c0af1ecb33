/**
 * Every page of the web app comes with the security headers (contract, "Sessions and safety"):
 * over HTTP for each kind of answer the local runtime gives, and in Chromium, where the app must
 * run under that Content-Security-Policy without a single violation.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { register, stage, uniqueName, webRoot } from "./browser.ts";

const s = stage();

const expectWebHeaders = (res: Response, what: string) => {
  const csp = res.headers.get("content-security-policy") ?? "";
  const directives = Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  expect(directives["script-src"], `${what}: ${csp}`).toEqual(["'self'"]);
  expect(directives["frame-ancestors"], what).toEqual(["'none'"]);
  expect(directives["object-src"], what).toEqual(["'none'"]);
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
};

describe("security headers", () => {
  it("come with every kind of answer: the app shell, a client-side route, an asset, the API and its errors", async () => {
    const html = readFileSync(join(webRoot, "index.html"), "utf8");
    const asset = /<script src="([^"]+)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    for (const path of ["/", "/servers/abc/def", "/invite/some-code", asset!, "/api/health", "/api/no-such-route"]) {
      const res = await fetch(`${s.app.url}${path}`);
      expectWebHeaders(res, path);
      await res.arrayBuffer();
    }
  });

  it("a missing file of the build is 404 with the same headers, never the shell", async () => {
    for (const path of ["/_app/immutable/entry/start.gone.js", "/_app/immutable/assets/0.gone.css", "/_app/immutable/boot.000000000000.js", "/_app/gone.json"]) {
      const res = await fetch(`${s.app.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).not.toMatch(/html/);
      expectWebHeaders(res, path);
      await res.arrayBuffer();
    }
  });

  it("the built pages hold no inline script", () => {
    const html = readFileSync(join(webRoot, "index.html"), "utf8");
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((tag) => !/\bsrc="\/_app\//.test(tag))).toEqual([]);
  });

  it("in Chromium, the app signs someone up, goes live and sends a message with no CSP violation", async () => {
    const page = await s.person();
    const violations: string[] = [];
    await page.exposeFunction("reportViolation", (v: string) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) =>
        (window as unknown as { reportViolation(v: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    const responses: Array<string | null> = [];
    page.on("response", (r) => {
      if (r.request().resourceType() === "document") responses.push(r.headers()["content-security-policy"] ?? null);
    });
    await register(page, uniqueName("csp"));
    // A server, a channel and a message: the REST calls and the live WebSocket both run under the policy.
    await page.getByRole("button", { name: "Create a server" }).first().click();
    await page.getByLabel("Server name").fill(uniqueName("cspsrv"));
    await page.getByRole("button", { name: "Create server" }).click();
    const box = page.getByRole("textbox", { name: "Message #general" });
    await box.waitFor();
    await box.fill("under the policy");
    await box.press("Enter");
    await page.getByText("under the policy").first().waitFor();
    expect(responses.length).toBeGreaterThan(0);
    expect(responses.every((h) => h?.includes("script-src 'self'"))).toBe(true);
    expect(violations).toEqual([]);
    expect(s.errors()).toEqual([]);
  });

  it("in Chromium, another page cannot frame the app (frame-ancestors 'none')", async () => {
    const page = await s.person();
    const blocked = new Promise<string>((resolve) =>
      page.on("console", (m) => {
        if (/frame-ancestors/.test(m.text())) resolve(m.text());
      }),
    );
    await page.setContent(`<iframe src="${s.app.url}/" width="400" height="300"></iframe>`);
    expect(await blocked).toMatch(/^Framing '.*' violates .*"frame-ancestors 'none'"/);
  });
});

/** docs/decisions.md, "Caching and releases"; the rules themselves: packages/local/test/webApp.test.ts. */
describe("caching of the built app", () => {
  const shellFiles = () => {
    const html = readFileSync(join(webRoot, "index.html"), "utf8");
    return [...html.matchAll(/(?:src|href)="(\/_app\/[^"]+)"/g)].map((m) => m[1]!);
  };

  it("answers the shell, for the root and every route of the app, no-cache, and a 304 when it is unchanged", async () => {
    const shell = readFileSync(join(webRoot, "index.html"), "utf8");
    for (const path of ["/", "/index.html", "/servers/01J0000000000000000000000A/channels/01J0000000000000000000000B", "/invite/some.code"]) {
      const res = await fetch(`${s.app.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("no-cache");
      expect(await res.text(), path).toBe(shell);
      const again = await fetch(`${s.app.url}${path}`, { headers: { "if-none-match": res.headers.get("etag")! } });
      expect(again.status, path).toBe(304);
      expectWebHeaders(again, `${path} (304)`);
    }
  });

  it("keeps the shell's hashed scripts and stylesheets a year, and asks again for the version file and the shell guard", async () => {
    const hashed = shellFiles().filter((f) => f.startsWith("/_app/immutable/"));
    expect(hashed.some((f) => f.endsWith(".js"))).toBe(true);
    expect(hashed.some((f) => f.endsWith(".css"))).toBe(true);
    for (const path of hashed) {
      const res = await fetch(`${s.app.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("public, max-age=31536000, immutable");
      await res.arrayBuffer();
    }
    expect(shellFiles()[0]).toBe("/_app/shell-guard.js");
    for (const path of ["/_app/version.json", "/_app/shell-guard.js"]) {
      const res = await fetch(`${s.app.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control"), path).toBe("no-cache");
      await res.arrayBuffer();
    }
  });
});
