/**
 * The API's reference page (`/api/docs`) in a real browser: Scalar's script comes from the web
 * app (packages/web/scripts/api-reference.ts, not the API Lambda), and the page renders the
 * document with nothing asked of any other origin (docs/decisions.md, "Lambdas under 1 MiB").
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launch, startApp, type App } from "./browser.ts";

let app: App;
let browser: Browser;
beforeAll(async () => {
  [app, browser] = await Promise.all([startApp(), launch()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

it("renders the API reference from this origin alone: any other request is blocked and none is made", async () => {
  const page = await browser.newPage();
  const own = new URL(app.url).origin;
  const elsewhere: string[] = [];
  const scripts: string[] = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (!url.startsWith("data:") && !url.startsWith("blob:") && new URL(url).origin !== own) {
      elsewhere.push(url);
      return route.abort();
    }
    if (route.request().resourceType() === "script") scripts.push(new URL(url).pathname);
    return route.continue();
  });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // A script the Content-Security-Policy refused (as Scalar's inline start-up once was) is a console error.
  page.on("console", (message) => void (message.type() === "error" && errors.push(message.text())));
  await page.goto(`${app.url}/api/docs`);
  // Scalar drew the document: its title and an operation of ours (`GET /health`), by its summary.
  await page.getByRole("heading", { name: "Agorusta API" }).first().waitFor({ timeout: 20_000 });
  await page.getByRole("heading", { name: "Whether the API can reach its table" }).first().waitFor({ timeout: 20_000 });
  expect(scripts).toEqual(["/api-reference/scalar.js"]);
  expect(elsewhere).toEqual([]);
  expect(errors).toEqual([]);
  await page.close();
});
