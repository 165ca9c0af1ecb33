/**
 * `npm run bench:web` (issue 27 item 3): the web app's start-up in Chromium for a person in 1, 30
 * and 300 servers — API requests at start (the first screen and the catch-up once the socket's
 * subscriptions hold), JavaScript bytes of the first load, time to the server list on the rail,
 * time to the first message on screen (a channel of the first server, opened by its URL). Runs
 * the local runtime over an in-memory DynamoDB Local, on loopback, with the built web app
 * (`npm run build:web` first). `-- --sizes 1,30` to choose the sizes, `-- --runs 3` runs each.
 */
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import { startDynamoLocal } from "@agorusta/local/dynamoLocal";
import { startRuntime } from "@agorusta/local/runtime";
import { getUser } from "@agorusta/core/accounts";
import { createServer } from "@agorusta/core/servers";
import { chromiumLaunch } from "../../packages/web/test/chromium.ts";

/** What the page functions below use of the page's DOM (this program is typed for Node). */
declare const document: { querySelectorAll(selector: string): Iterable<{ textContent: string | null }> & { length: number } };

const { values } = parseArgs({ options: { sizes: { type: "string", default: "1,30,300" }, runs: { type: "string", default: "1" } } });
const sizes = values.sizes.split(",").map(Number);
const runs = Number(values.runs);
const webRoot = fileURLToPath(new URL("../../packages/web/build", import.meta.url));
if (!existsSync(`${webRoot}/index.html`)) throw new Error("The web app is not built: run `npm run build:web` first.");

const dynamo = await startDynamoLocal();
const rt = await startRuntime({ dynamoEndpoint: dynamo.endpoint, tableName: `bench-web-${Date.now()}`, jwtSecret: randomBytes(32).toString("hex"), port: 0, usageLimits: "off", webRoot, search: false });
const browser = await chromium.launch(chromiumLaunch);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's answers, as JSON
async function api(path: string, token: string | null, body?: unknown): Promise<any> {
  const res = await fetch(`${rt.url}/api${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const FIRST_MESSAGE = "The first message on screen";

/** Someone in `n` servers (made in the table directly: only the start is measured), a message in the first one's general channel. */
async function personIn(n: number) {
  const name = `bench${randomBytes(4).toString("hex")}`;
  const { token, user } = await api("/auth/register", null, { email: `${name}@example.com`, username: name, password: "correct horse battery" });
  const owner = await getUser(rt.deps.db, user.id);
  const servers = [];
  for (let i = 0; i < n; i++) servers.push(await createServer(rt.deps.db, owner, `${name} ${i}`));
  const first = await api(`/servers/${servers[0]!.id}`, token);
  const channelId = first.channels[0].id;
  await api(`/servers/${first.id}/channels/${channelId}/messages`, token, { content: FIRST_MESSAGE });
  return { token, path: `/servers/${first.id}/channels/${channelId}` };
}

/** ms since the navigation started, when the rail lists `n` servers. */
const railHas = (page: Page, n: number) =>
  page
    .waitForFunction((n) => (document.querySelectorAll('nav[aria-label="Servers"] ul li a.item').length >= n ? performance.now() : false), n, { polling: "raf", timeout: 60_000 })
    .then((h) => h.jsonValue() as Promise<number>);
/** ms since the navigation started, when a message with `text` is on screen. */
const messageShown = (page: Page, text: string) =>
  page
    .waitForFunction((text) => ([...document.querySelectorAll("li.message .content")].some((e) => e.textContent?.includes(text)) ? performance.now() : false), text, { polling: "raf", timeout: 60_000 })
    .then((h) => h.jsonValue() as Promise<number>);

async function startOnce(n: number) {
  const { token, path } = await personIn(n);
  const context = await browser.newContext({ baseURL: rt.url, serviceWorkers: "block" });
  await context.addInitScript((t) => localStorage.setItem("agorusta.token", t), token);
  const page = await context.newPage();
  const asked: string[] = [];
  page.on("request", (r) => new URL(r.url()).pathname.startsWith("/api/") && asked.push(`${r.method()} ${new URL(r.url()).pathname.replace(/\/[0-9A-Z]{26}(?=\/|$)/g, "/:id")}`));
  let details = 0;
  const caughtUp = new Promise<void>((resolve) =>
    page.on("requestfinished", (r) => r.url().includes("/api/servers?include=details") && ++details === 2 && resolve()),
  );
  await page.goto(path, { waitUntil: "commit" });
  const [serverList, firstMessage] = await Promise.all([
    railHas(page, n),
    messageShown(page, FIRST_MESSAGE),
  ]);
  await caughtUp;
  const jsBytes = await page.evaluate(() =>
    performance.getEntriesByType("resource").filter((e) => new URL(e.name).pathname.endsWith(".js")).reduce((sum, e) => sum + (e as unknown as { encodedBodySize: number }).encodedBodySize, 0),
  );
  await context.close();
  if (process.env.BENCH_WEB_PATHS) console.error(n, Object.entries(Object.groupBy(asked, (a) => a)).map(([k, v]) => `${k} ×${v!.length}`).join(", "));
  return { requests: asked.length, jsBytes, serverList, firstMessage };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`bench:web — ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}, median of ${runs} run(s) each`);
console.log("| servers | API requests at start | JS bytes (first load, as sent) | server list | first message |");
console.log("|---:|---:|---:|---:|---:|");
try {
  for (const n of sizes) {
    const results: Awaited<ReturnType<typeof startOnce>>[] = [];
    for (let i = 0; i < runs; i++) results.push(await startOnce(n));
    const m = (k: "requests" | "jsBytes" | "serverList" | "firstMessage") => median(results.map((r) => r[k]));
    console.log(`| ${n} | ${m("requests")} | ${(m("jsBytes") / 1024).toFixed(1)} KiB | ${m("serverList").toFixed(0)} ms | ${m("firstMessage").toFixed(0)} ms |`);
  }
} finally {
  await browser.close();
  await rt.close();
  await dynamo.stop();
}
