/**
 * A new release never leaves a blank page (issue 22, item 2; docs/decisions.md, "Caching and
 * releases"). In Chromium, against the runtime serving a copy of the build in which the tests
 * publish releases as a deploy does (new hashed names, a new version, the old files gone):
 * a tab open across a release, a shell that came from the browser's cache, a file that stays
 * missing (at most one reload, then a message), and no reload at all when offline.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { phone, register, shot, stage, uniqueName, watchErrors } from "./browser.ts";
import { copyOfBuild, fileOf, publishRelease, removeFile } from "./releases.ts";
import { messages } from "../src/lib/releaseReload.ts";

const build = copyOfBuild();
const world = stage({ webRoot: build });
afterAll(() => rmSync(build, { recursive: true, force: true }));

/** The node (code) of a route of the app, from the route table in the build's app entry. */
function routeNode(routeId: string): string {
  const app = readFileSync(join(build, fileOf(build, /^_app\/immutable\/entry\/app\./)), "utf8");
  const node = new RegExp(`"${routeId.replace(/[()[\]]/g, "\\$&")}":\\[(\\d+)`).exec(app)?.[1];
  if (node === undefined) throw new Error(`No route ${routeId} in the build's route table.`);
  return fileOf(build, new RegExp(`^_app/immutable/nodes/${node}\\.`));
}

/** The paths of the documents the page loads from now on. */
function documentLoads(page: Page): string[] {
  const paths: string[] = [];
  page.on("request", (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) paths.push(new URL(r.url()).pathname);
  });
  return paths;
}

/** The HTTP status of each file the page asks for from now on, by path. */
function statuses(page: Page): Map<string, number> {
  const seen = new Map<string, number>();
  page.on("response", (r) => seen.set(new URL(r.url()).pathname, r.status()));
  return seen;
}

const reloadMark = (page: Page) => page.evaluate(() => sessionStorage.getItem("agorusta.reloadedForMissingFile"));
const joinLink = (page: Page) => page.getByRole("link", { name: "Join a server" }).first();
const joinHeading = (page: Page) => page.getByRole("heading", { name: "Join a server", level: 1 });

describe("a release while a tab is open", () => {
  it("the tab opens its next page from the new release, with one page load, and works", async () => {
    const page = await world.person();
    const errors = watchErrors(page);
    await register(page, uniqueName("across"));
    const oldJoin = routeNode("/(app)/join");
    const renamed = publishRelease(build, [oldJoin]);
    const loads = documentLoads(page);
    const seen = statuses(page);

    await joinLink(page).click();
    await joinHeading(page).waitFor();
    // The old code of the page was asked for, and answered 404, not the shell.
    expect(seen.get(`/${oldJoin}`)).toBe(404);
    expect(seen.get(`/${renamed.get(oldJoin)}`)).toBe(200);
    expect(loads).toEqual(["/join"]);
    // It works: the form of the new release's page takes input.
    await page.getByLabel("Invite link or code").fill("abc");
    await page.getByText("Online", { exact: true }).waitFor();
    await shot(page, "release-next-page-from-new-release");
    expect(errors).toEqual([]);
  });

  it("once SvelteKit learns of a release (the tab comes back into view), the next navigation loads its page from the server", async () => {
    const page = await world.person();
    const errors = watchErrors(page);
    await register(page, uniqueName("ahead"));
    // A release that leaves the join page's code as it was: a client-side navigation would still work.
    publishRelease(build, [routeNode("/(app)/servers/[serverId]/settings")]);
    const loads = documentLoads(page);
    const versionChecked = page.waitForResponse((r) => new URL(r.url()).pathname === "/_app/version.json");
    await page.evaluate(() => dispatchEvent(new Event("focus")));
    await (await versionChecked).finished();

    await joinLink(page).click();
    await joinHeading(page).waitFor();
    expect(loads).toEqual(["/join"]);
    expect(errors).toEqual([]);
  });

  it("when the file stays missing (a broken deploy), reloads once, then says why on the page instead of reloading again", async () => {
    const page = await world.person();
    await register(page, uniqueName("broken"));
    removeFile(build, routeNode("/(app)/join"));
    const loads = documentLoads(page);

    await joinLink(page).click();
    await page.getByText(messages.stale).waitFor();
    expect(loads).toEqual(["/join"]);
    expect(new URL(page.url()).pathname).toBe("/join");
    expect(await reloadMark(page)).toBe(`${world.app.url}/join`);
    // The message is where it stops: nothing is loading, and no other page load came.
    await page.waitForLoadState("networkidle");
    expect(loads).toEqual(["/join"]);
    await shot(page, "release-missing-file-message");
  });
});

describe("a page whose shell comes from the browser's cache after a release", () => {
  /** Answers the page's next `count` loads of `/` with `html`, as a cache would; then the server answers. */
  async function cachedShell(page: Page, html: string, count = 1) {
    let left = count;
    await page.route(
      (url) => url.pathname === "/",
      (route) => (route.request().isNavigationRequest() && left-- > 0 ? route.fulfill({ contentType: "text/html", body: html }) : route.fallback()),
    );
  }

  it("reloads once into the new release, and forgets that reload once the page loaded (a later release may reload it again)", async () => {
    const page = await world.person();
    const errors = watchErrors(page);
    await register(page, uniqueName("cached"));
    const oldShell = readFileSync(join(build, "index.html"), "utf8");
    // The home page's code changed; the old shell's bootstrap and app entry are gone.
    publishRelease(build, [routeNode("/(app)")]);
    await cachedShell(page, oldShell);
    const loads = documentLoads(page);
    const seen = statuses(page);

    await page.reload({ waitUntil: "commit" });
    await page.getByText("Online", { exact: true }).waitFor();
    expect(loads).toEqual(["/", "/"]);
    const oldBoot = /src="(\/_app\/immutable\/boot\.[^"]+)"/.exec(oldShell)![1]!;
    expect(seen.get(oldBoot)).toBe(404);
    // Loaded without error: the tab may reload once more for a release to come.
    expect(await reloadMark(page)).toBeNull();
    // Chromium may say it refused the old bootstrap's 404 (text/plain, nosniff) as a script; nothing else went wrong.
    expect(errors.filter((e) => !e.includes(oldBoot))).toEqual([]);
    await shot(page, "release-cached-shell-reloaded");
  });

  it("whose scripts stay missing, reloads once, then shows why instead of a blank page (on a phone)", async () => {
    const page = await world.person(phone);
    const gone = readFileSync(join(build, "index.html"), "utf8").replace(/boot\.[^"]+\.js/, "boot.000000000000.js");
    await cachedShell(page, gone, 2);
    const loads = documentLoads(page);

    await page.goto("/", { waitUntil: "commit" });
    const notice = page.getByRole("alert");
    await notice.getByText(messages.stale).waitFor();
    await notice.getByRole("button", { name: "Reload" }).waitFor();
    expect(loads).toEqual(["/", "/"]);
    await page.waitForLoadState("networkidle");
    expect(loads).toEqual(["/", "/"]);
    await shot(page, "release-shell-scripts-missing-phone");
  });

  it("offline, a script that cannot be fetched is no reason to reload: it says to check the connection", async () => {
    const page = await world.person();
    await page.route(/\/_app\/immutable\/boot\./, (route) => route.abort("internetdisconnected"));
    const loads = documentLoads(page);

    await page.goto("/", { waitUntil: "commit" });
    await page.getByRole("alert").getByText(messages.offline).waitFor();
    await page.waitForLoadState("networkidle");
    expect(loads).toEqual(["/"]);
    expect(await reloadMark(page)).toBeNull();
  });
});
