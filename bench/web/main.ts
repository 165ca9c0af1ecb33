/**
 * `npm run bench:web` (issue 27 item 3): the web app's start-up in Chromium for a person in 1, 30
 * and 300 servers — API requests at start (the first screen and the catch-up once the socket's
 * subscriptions hold) and at a reconnect, JavaScript bytes of the first load, time to the server list on the rail,
 * time to the first message on screen (a channel of the first server, opened by its URL). Runs
 * the local runtime over an in-memory DynamoDB Local, on loopback, with the built web app
 * (`npm run build:web` first). `-- --sizes 1,30` to choose the sizes, `-- --runs 3` runs each.
 * The contract's limits hold (each run has a table of its own): the WebSocket's 100
 * subscriptions a connection among them, which a person in 300 servers would pass. Then a
 * reconnect (the network goes and comes back). Prints PASS/FAIL against the ≤ 8 requests target
 * for the app's start, the reconnect, and the start with the open channel's page (the first
 * screen of someone who opens the app on a channel includes it), the requests each made, and the DynamoDB requests of each of the start's API reads (asked again).
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
import { detailsPageChannels } from "@agorusta/core/schemas";
import { chromiumLaunch } from "../../packages/web/test/chromium.ts";

/** What the page functions below use of the page's DOM (this program is typed for Node). */
declare const document: { querySelectorAll(selector: string): Iterable<{ textContent: string | null }> & { length: number } };

const { values } = parseArgs({ options: { sizes: { type: "string", default: "1,30,300" }, runs: { type: "string", default: "1" } } });
const sizes = values.sizes.split(",").map(Number);
const runs = Number(values.runs);
const webRoot = fileURLToPath(new URL("../../packages/web/build", import.meta.url));
if (!existsSync(`${webRoot}/index.html`)) throw new Error("The web app is not built: run `npm run build:web` first.");

const dynamo = await startDynamoLocal();
const rt = await startRuntime({ dynamoEndpoint: dynamo.endpoint, tableName: `bench-web-${Date.now()}`, jwtSecret: randomBytes(32).toString("hex"), port: 0, webRoot, search: false });
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
    .waitForFunction((n) => (document.querySelectorAll('nav[aria-label="Servers"] ul li a.item').length >= n ? performance.now() : false), n, { polling: "raf", timeout: 120_000 })
    .then((h) => h.jsonValue() as Promise<number>);
/** ms since the navigation started, when a message with `text` is on screen. */
const messageShown = (page: Page, text: string) =>
  page
    .waitForFunction((text) => ([...document.querySelectorAll("li.message .content")].some((e) => e.textContent?.includes(text)) ? performance.now() : false), text, { polling: "raf", timeout: 120_000 })
    .then((h) => h.jsonValue() as Promise<number>);

/** The target of issue 27 item 3: the app's start and every reconnect ask at most this many API requests, however many servers. */
const MAX_REQUESTS = 8;

/**
 * The API requests a page asks (method and path, ids as `:id`), split into the app's own (the
 * shell: who I am, the socket's ticket, servers, DMs, read states, presence, settings) and the
 * open channel's page (`/servers/:id/…`: its messages, changes, members, read position), whose
 * number does not depend on the servers either.
 */
function requestsOf(page: Page) {
  const asked: { request: string; url: string; app: boolean }[] = [];
  // Answered ones: a request the browser could not send (offline) never reached the API.
  page.on("requestfinished", (r) => {
    const url = new URL(r.url());
    if (!url.pathname.startsWith("/api/")) return;
    const path = url.pathname.replace(/\/[0-9A-Z]{26}(?=\/|$)/g, "/:id");
    asked.push({ request: `${r.method()} ${path}`, url: `${url.pathname.slice(4)}${url.search}`, app: !path.startsWith("/api/servers/:id") });
  });
  return asked;
}

/**
 * Resolves when the page has received answers to `count` more requests whose URL contains `part`;
 * fails after two minutes (a start that never finishes is a fault to report, not to wait out).
 */
const answered = (page: Page, part: string, count = 1, timeoutMs = 120_000) =>
  new Promise<void>((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => {
      page.off("requestfinished", on);
      reject(new Error(`bench:web: ${seen} of ${count} answer(s) to ${part} came within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const on = (r: { url(): string }) => r.url().includes(part) && ++seen === count && (clearTimeout(timer), page.off("requestfinished", on), resolve());
    page.on("requestfinished", on);
  });

const listed = (list: { request: string }[]) => Object.entries(Object.groupBy(list, (a) => a.request)).map(([k, v]) => `${k}${v!.length > 1 ? ` ×${v!.length}` : ""}`).join(", ");
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The API's DynamoDB requests (by operation) for one request, asked again with the person's token. */
async function dynamoCostOf(url: string, method: string, token: string) {
  const counts = rt.deps.dynamo.counts;
  const before = { ...counts };
  const res = await fetch(`${rt.url}/api${url}`, { method, headers: { authorization: `Bearer ${token}` } });
  const bytes = (await res.arrayBuffer()).byteLength;
  const spent = Object.fromEntries(Object.entries(counts).map(([op, n]) => [op, n - (before[op] ?? 0)]).filter(([, n]) => (n as number) > 0)) as Record<string, number>;
  return { spent, bytes };
}

async function startOnce(n: number) {
  const { token, path } = await personIn(n);
  const context = await browser.newContext({ baseURL: rt.url, serviceWorkers: "block" });
  await context.addInitScript((t) => localStorage.setItem("agorusta.token", t), token);
  const page = await context.newPage();
  const errors: string[] = [];
  let offline = false;
  page.on("pageerror", (e) => errors.push(String(e)));
  // While the network is off on purpose, its failures are expected.
  page.on("console", (m) => m.type() === "error" && !offline && errors.push(m.text()));
  const asked = requestsOf(page);
  // The start is over once the catch-up after the socket's subscriptions has read the servers
  // again (the first listing, then the catch-up) and the read states.
  // And the page has marked its channel read (its message is unread): the page's last request.
  const started = Promise.all([answered(page, "/api/servers?include=details", 2), answered(page, "/api/read-states"), answered(page, "/read")]);
  await page.goto(path, { waitUntil: "commit" });
  const [serverList, firstMessage] = await Promise.all([railHas(page, n), messageShown(page, FIRST_MESSAGE)]);
  await started;
  await page.waitForTimeout(300); // stragglers
  const jsBytes = await page.evaluate(() =>
    performance.getEntriesByType("resource").filter((e) => new URL(e.name).pathname.endsWith(".js")).reduce((sum, e) => sum + (e as unknown as { encodedBodySize: number }).encodedBodySize, 0),
  );
  const atStart = asked.splice(0);
  // A reconnect: the network goes and comes back (the app drops its socket and opens another).
  const reconnected = Promise.all([answered(page, "/api/servers?include=details"), answered(page, "/api/read-states")]);
  offline = true;
  await context.setOffline(true);
  await page.getByText("You are offline.", { exact: false }).waitFor({ timeout: 30_000 });
  await context.setOffline(false);
  await reconnected;
  offline = false;
  await page.waitForTimeout(300);
  const atReconnect = asked.splice(0);
  await context.close();
  // What the app's start cost the API in DynamoDB requests: each of its reads asked again.
  const dynamo: Record<string, { spent: Record<string, number>; bytes: number }> = {};
  for (const r of atStart) if (r.app && !dynamo[r.url]) dynamo[r.url] = await dynamoCostOf(r.url, r.request.split(" ")[0]!, token);
  const app = (list: typeof atStart) => list.filter((r) => r.app);
  return {
    requests: app(atStart).length,
    pageRequests: atStart.length - app(atStart).length,
    reconnect: app(atReconnect).length,
    jsBytes,
    serverList,
    firstMessage,
    detailsBytes: dynamo["/servers?include=details"]?.bytes ?? 0,
    dynamo,
    startDynamo: app(atStart).reduce((total, r) => total + sum(dynamo[r.url]!.spent), 0),
    lists: { start: listed(app(atStart)), page: listed(atStart.filter((r) => !r.app)), reconnect: listed(app(atReconnect)), pageReconnect: listed(atReconnect.filter((r) => !r.app)) },
    errors,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
console.log(`bench:web — ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, median of ${runs} run(s) each`);
console.log(`| servers | API requests: start (≤ ${MAX_REQUESTS}) | reconnect (≤ ${MAX_REQUESTS}) | + open channel's page | start with the channel page (≤ ${MAX_REQUESTS}) | JS bytes (first load, as sent) | server list | first message | details answer | DynamoDB requests of the start's API reads |`);
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
const rows: { n: number; requests: number; reconnect: number; total: number }[] = [];
const notes: string[] = [];
try {
  for (const n of sizes) {
    const results: Awaited<ReturnType<typeof startOnce>>[] = [];
    for (let i = 0; i < runs; i++) results.push(await startOnce(n));
    const m = (k: "requests" | "reconnect" | "pageRequests" | "jsBytes" | "serverList" | "firstMessage" | "detailsBytes" | "startDynamo") => median(results.map((r) => r[k]));
    const total = median(results.map((r) => r.requests + r.pageRequests));
    rows.push({ n, requests: m("requests"), reconnect: m("reconnect"), total });
    console.log(
      `| ${n} | ${m("requests")} ${verdict(m("requests") <= MAX_REQUESTS)} | ${m("reconnect")} ${verdict(m("reconnect") <= MAX_REQUESTS)} | ${m("pageRequests")} | ${total} ${verdict(total <= MAX_REQUESTS)} | ${(m("jsBytes") / 1024).toFixed(1)} KiB | ${m("serverList").toFixed(0)} ms | ${m("firstMessage").toFixed(0)} ms | ${(m("detailsBytes") / 1024).toFixed(1)} KiB | ${m("startDynamo")} |`,
    );
    const last = results.at(-1)!;
    notes.push(`${n} servers — start: ${last.lists.start}; the page: ${last.lists.page}; reconnect: ${last.lists.reconnect}; the page at the reconnect: ${last.lists.pageReconnect}`);
    notes.push(`${n} servers — DynamoDB per read: ${Object.entries(last.dynamo).map(([url, d]) => `${url} ${JSON.stringify(d.spent)}`).join("; ")}`);
    const errors = results.flatMap((r) => r.errors);
    notes.push(`${n} servers — errors in the page: ${errors.length ? errors.join(" | ") : "none"}`);
  }
  // What a channel adds to the details answer: one server with 1 channel, then with 51.
  const { token, path } = await personIn(1);
  const serverId = path.split("/")[2]!;
  const bytes = async () => (await dynamoCostOf("/servers?include=details", "GET", token)).bytes;
  const one = await bytes();
  for (let i = 0; i < 50; i++) await api(`/servers/${serverId}/channels`, token, { name: `channel-${i}-${"x".repeat(20)}` });
  const perChannel = ((await bytes()) - one) / 50;
  const page = detailsPageChannels + 500;
  notes.push(
    `details answer: ${perChannel.toFixed(0)} bytes a channel (name of 30 characters, no topic); one answer holds whole servers until ${detailsPageChannels} visible channels (at most ${page}: ${((page * perChannel) / 1e6).toFixed(1)} MB, Lambda's limit 6 MB); 300 servers × 500 channels would be ${((300 * 500 * perChannel) / 1e6).toFixed(1)} MB in one`,
  );
} finally {
  await browser.close();
  await rt.close();
  await dynamo.stop();
}
for (const note of notes) console.log(note);
const constant = rows.every((r) => r.requests === rows[0]!.requests && r.reconnect === rows[0]!.reconnect && r.total === rows[0]!.total);
console.log(`Same number of requests at every size (start, reconnect, start with the channel page): ${verdict(constant)}`);
