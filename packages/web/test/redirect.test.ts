/**
 * The post-login redirect in Chromium (issue 15): `?next=` may lead only to a page of this app.
 * A person signed in who opens a crafted `/login?next=…` link stays on Agorusta.
 */
import { describe, expect, it } from "vitest";
import { register, stage, uniqueName } from "./browser.ts";

const world = stage();

describe("/login?next=", () => {
  it("follows a path of this app, and goes home for anything that would leave it", async () => {
    const page = await world.person();
    await register(page, uniqueName("nextuser"));
    await page.goto("/login?next=%2Fjoin");
    await page.waitForURL((url) => url.pathname === "/join");
    expect(new URL(page.url()).origin).toBe(world.app.url);
    for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)"]) {
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await page.waitForURL((url) => url.pathname === "/" && !url.search);
      expect(new URL(page.url()).origin, next).toBe(world.app.url);
    }
    expect(world.errors()).toEqual([]);
  });
});
