/**
 * What the browser tests share: the whole runtime serving the built web app, Debian's Chromium
 * driven by playwright-core, people who sign up through the UI, the app's own typed API client
 * for setting the scene, and screenshots under `.test-artifacts/web/` (git-ignored).
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, inject } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { startRuntime, type Runtime } from "@agorusta/local/runtime";
import { TEST_SECRET, testLimits, uniqueBucketName, uniqueTableName } from "@agorusta/testing";
import type { UsageLimits } from "@agorusta/core/limits";
// Brings in the typing of what the run's global setup provides (`inject("dynamoEndpoint")`).
import type {} from "@agorusta/testing/globalSetup";
import { call, createClient } from "../src/lib/api.ts";
import { chromiumLaunch } from "./chromium.ts";

export { chromiumLaunch };

export const webRoot = fileURLToPath(new URL("../build", import.meta.url));
const artifacts = fileURLToPath(new URL("../../../.test-artifacts/web/", import.meta.url));

export const laptop = { width: 1366, height: 768 };
export const phone = { width: 390, height: 844 };

export const PASSWORD = "correct horse battery";

export interface StageOptions {
  usageLimits?: UsageLimits | "off";
  /** Another copy of the built web app to serve (one a test changes, as a release would); by default the build. */
  webRoot?: string;
  /** Message search's indexer: only a file that searches pays for it (core store/table.ts `TableOptions`). */
  search?: boolean;
}

/**
 * The runtime over a table of its own. `stop` and `start` again keep the port and the table: every
 * WebSocket drops, as on a redeploy or at API Gateway's two-hour limit, and the data stays.
 */
export async function startApp(setup: StageOptions = {}) {
  if (!existsSync(`${webRoot}/index.html`)) {
    throw new Error("The web app is not built: run `npm run build:web` (npm test does it first).");
  }
  const options = {
    dynamoEndpoint: inject("dynamoEndpoint"),
    tableName: uniqueTableName(),
    // Files go to the run's embedded S3-compatible store, in a bucket of this app's own.
    s3: { endpoint: inject("s3Endpoint"), credentials: inject("s3Credentials") },
    bucket: uniqueBucketName(),
    jwtSecret: TEST_SECRET,
    webRoot: setup.webRoot ?? webRoot,
    usageLimits: setup.usageLimits ?? testLimits,
    search: setup.search ?? false,
  };
  let runtime: Runtime | null = await startRuntime({ ...options, port: 0 });
  const { port, url, deps } = runtime;
  return {
    url,
    /** The table stays reachable while the server is down. */
    db: deps.db,
    /** The table and the file store, for core's functions (which reach both). */
    stores: { db: deps.db, files: deps.files },
    async stop() {
      await runtime?.close();
      runtime = null;
    },
    async start() {
      runtime ??= await startRuntime({ ...options, port });
    },
  };
}

export type App = Awaited<ReturnType<typeof startApp>>;

export async function launch(): Promise<Browser> {
  return chromium.launch(chromiumLaunch);
}

/**
 * For one test file: the app and Chromium, started before its tests and stopped after, and
 * `person()` to open a browser profile of one's own (cookies, storage), like someone on another
 * machine. `errors()` lists what went wrong in any of their pages.
 */
export function stage(setup: StageOptions = {}) {
  let app: App | undefined;
  let browser: Browser | undefined;
  const errors: string[][] = [];
  const journals: { name: string; lines: Happening[] }[] = [];
  let stepStarted = 0;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(setup), launch()]);
  });
  // A failed step prints what each page lived through just before (its socket frames, console,
  // refused requests): on a CI run that is all there is to tell a slow machine from a lost event.
  beforeEach(() => void (stepStarted = Date.now()));
  afterEach(({ task }) => {
    if (task.result?.state !== "fail") return;
    for (const { name, lines } of journals) {
      const during = lines.filter((l) => l.at >= stepStarted);
      if (during.length) console.log(`--- ${task.name}: ${name} during the step:\n${during.map((l) => `${((l.at - stepStarted) / 1000).toFixed(2)}s ${l.what}`).join("\n")}`);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  return {
    get app(): App {
      if (!app) throw new Error("The app is used before beforeAll started it.");
      return app;
    },
    async person(viewport = laptop, options: ContextOptions = {}): Promise<Page> {
      const context = await newContext(browser!, app!.url, viewport, options);
      const page = await context.newPage();
      errors.push(watchErrors(page));
      journals.push({ name: `page ${journals.length + 1} (${viewport.width}px)`, lines: journal(page) });
      return page;
    },
    errors: () => errors.flat(),
  };
}

export type Stage = ReturnType<typeof stage>;

/**
 * The fixture of one story told in steps (the `it`s of a describe, which run in order): the
 * people's pages, opened before the first step, and what a step finds out for the later ones (a
 * server's id, an invite link). A fact is written once, by the step that finds it out; reading one
 * no step has written fails naming it (that step failed or did not run), instead of going on with
 * an empty string. Call it inside the `describe`, after `stage()`: its `beforeAll` needs the browser.
 */
export function story<Cast extends Record<string, Page>, Facts extends object = Record<never, never>>(open?: () => Promise<Cast>) {
  let cast: Cast | undefined;
  const facts: Partial<Facts> = {};
  beforeAll(async () => {
    cast = open ? await open() : ({} as Cast);
  });
  return {
    get people(): Cast {
      if (!cast) throw new Error("The story's people are used before its beforeAll opened their pages.");
      return cast;
    },
    learn<K extends keyof Facts>(key: K, value: Facts[K]): Facts[K] {
      if (key in facts) throw new Error(`The story already knows ${String(key)}.`);
      facts[key] = value;
      return value;
    },
    fact<K extends keyof Facts>(key: K): Facts[K] {
      if (!(key in facts)) throw new Error(`The story does not know ${String(key)} yet: the step that finds it out failed or did not run.`);
      return facts[key] as Facts[K];
    },
  };
}

export interface ContextOptions {
  serviceWorkers?: "allow" | "block";
}

/**
 * A browser profile of its own (cookies, storage), like a second person on another machine.
 *
 * Without the app's service worker unless `serviceWorkers: "allow"`: online it only passes each
 * request on (src/service-worker/), but requests it makes are not seen by `page.route`, which
 * many tests use to delay or fail one; the installable app's test (pwa.test.ts) allows it.
 */
export async function newContext(
  browser: Browser,
  baseURL: string,
  viewport = laptop,
  { serviceWorkers = "block" }: ContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport, serviceWorkers, permissions: ["clipboard-read", "clipboard-write"] });
  context.setDefaultTimeout(10_000);
  return context;
}

/**
 * Collects uncaught errors and console errors of the page, for a test to assert there were none.
 * The browser's own network lines (an expected 409, a refused reconnect while the server is down)
 * are not the app's errors.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource|WebSocket connection .* failed/.test(m.text())) {
      errors.push(`console: ${m.text()}`);
    }
  });
  return errors;
}

interface Happening {
  at: number;
  what: string;
}

/** The page's last happenings, newest last: socket frames both ways, console lines, answers ≥ 400, navigations. */
function journal(page: Page, keep = 80): Happening[] {
  const lines: Happening[] = [];
  const note = (what: string) => {
    lines.push({ at: Date.now(), what: what.slice(0, 200) });
    if (lines.length > keep) lines.shift();
  };
  page.on("console", (m) => note(`console.${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => note(`pageerror: ${e.message}`));
  page.on("framenavigated", (f) => f === page.mainFrame() && note(`navigated ${f.url()}`));
  page.on("response", (r) => r.status() >= 400 && note(`${r.status()} ${r.request().method()} ${r.url()}`));
  page.on("requestfailed", (r) => note(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on("websocket", (ws) => {
    note(`ws open ${ws.url()}`);
    ws.on("framesent", (f) => note(`ws> ${String(f.payload)}`));
    ws.on("framereceived", (f) => note(`ws< ${String(f.payload)}`));
    ws.on("close", () => note("ws closed"));
  });
  return lines;
}

/**
 * Waits until the page's CSS transitions and animations have finished: two frames first, so a
 * change just made has had its style recalculated and its transition started.
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== "running"));
}

/** Changes the window size and lets the layout's transitions finish. */
export async function resize(page: Page, viewport: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(viewport);
  await settled(page);
}

/** On a phone: slides the navigation drawer in, and waits for it to settle. */
export async function openNavigation(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Open navigation" }).click();
  await settled(page);
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: `${artifacts}${name}.png` });
}

let counter = 0;
export const uniqueName = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-5)}${counter++}`;

/** Signs up through the register page, as a new person would; ends on the home page. */
export async function register(page: Page, username: string): Promise<void> {
  await page.goto("/register");
  await fillRegistration(page, username);
  await page.waitForURL((url) => url.pathname === "/");
  await page.getByText("Online", { exact: true }).waitFor();
}

export async function fillRegistration(page: Page, username: string): Promise<void> {
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** The app's own typed client, signed in as a user made through the API (for setting a scene). */
export async function apiUser(baseUrl: string, username: string) {
  let token: string | null = null;
  const api = createClient({ baseUrl: `${baseUrl}/api`, token: () => token });
  const registered = await call(
    api.auth.register.$post({ json: { email: `${username}@example.com`, username, password: PASSWORD } }),
  );
  token = registered.token;
  return { api, token, user: registered.user };
}

/** The app's own typed client, signed in as the person in this page, and their user id (for setting a scene). */
export async function apiOf(page: Page) {
  const token = await page.evaluate(() => localStorage.getItem("agorusta.token"));
  if (!token) throw new Error("Nobody is signed in in this page.");
  const api = createClient({ baseUrl: new URL("/api", page.url()).href, token: () => token });
  const userId: string = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub;
  return { api, userId };
}
