/**
 * Start-up does not grow with the number of servers (issue 27 item 3): the web app's start and
 * each reconnect ask the API the same requests for a person in 2 servers as in 12, the rail and
 * the unread marks filled from one `GET /servers?include=details`, never one request per server.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { call } from "../src/lib/api.ts";
import { LIVE_SERVERS } from "../src/lib/liveServers.ts";
import { apiUser, stage, uniqueName } from "./browser.ts";

const world = stage({ usageLimits: "off" });

/** What the page asked the API and was answered (method and path, ids as `:id`), in order. */
function apiRequests(page: Page): string[] {
  const asked: string[] = [];
  page.on("requestfinished", (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith("/api/")) return;
    asked.push(`${request.method()} ${url.pathname.replace(/\/[0-9A-Z]{26}(?=\/|$)/g, "/:id")}${url.search.replace(/since=[^&]+/, "since=:cursor")}`);
  });
  return asked;
}

const count = (asked: string[], request: string) => asked.filter((r) => r === request).length;
const DETAILS = "GET /api/servers?include=details";
const READ_STATES = "GET /api/read-states";
const TICKET = "POST /api/auth/ws-ticket";
/** The open channel's catch-up once its subscription holds, from the head its first page was read at. */
const CATCH_UP = "GET /api/servers/:id/channels/:id/changes?since=:cursor&limit=500";
/** Issue 27 item 3: the start and each reconnect ask at most this many requests, however many servers. */
const MAX_REQUESTS = 8;

/**
 * What the start asks (sorted, the ticket aside), the servers aside: on the home page, with a DM
 * partner in the list (whose presence is asked once the socket is open), and on a channel's page
 * opened by its URL (no DM on screen: no presence asked; its server's details come with the
 * listing; the channel's change feed's head with its newest messages, in one request at once, the catch-up from
 * that head once its subscription holds, its members, and marking it read).
 */
const HOME_START = [
  "GET /api/auth/me",
  "GET /api/dms/online",
  "GET /api/dms?limit=100",
  "GET /api/notification-settings",
  "GET /api/read-states",
  DETAILS,
  DETAILS,
];
const CHANNEL_START = [
  "GET /api/auth/me",
  "GET /api/dms?limit=100",
  "GET /api/notification-settings",
  "GET /api/read-states",
  "GET /api/servers/:id/channels/:id/changes?newest=50",
  CATCH_UP,
  "GET /api/servers/:id/members?limit=100",
  DETAILS,
  DETAILS,
  "PUT /api/servers/:id/channels/:id/read",
];

/**
 * Someone in `n` servers with one DM conversation, whose page starts signed in on the home page
 * (or, `onChannel`, on the first server's channel, where someone else wrote); what it asked at
 * start (and its first catch-up), and at a reconnect.
 */
async function startIn(n: number, { onChannel = false } = {}) {
  const me = await apiUser(world.app.url, uniqueName("st"));
  const other = await apiUser(world.app.url, uniqueName("so"));
  await call(me.api.dms.$post({ json: { userId: other.user.id } }));
  const servers = [];
  for (let i = 0; i < n; i++) servers.push(await call(me.api.servers.$post({ json: { name: `Start ${uniqueName("")}` } })));
  const opened = servers[0]!;
  const { channels } = await call(me.api.servers[":id"].$get({ param: { id: opened.id } }));
  const channel = channels.find((c) => c.type !== "category")!;
  if (onChannel) {
    const { code } = await call(me.api.servers[":id"].invites.$post({ param: { id: opened.id }, json: {} }));
    await call(other.api.invites[":code"].join.$post({ param: { code } }));
    await call(other.api.servers[":id"].channels[":cid"].messages.$post({ param: { id: opened.id, cid: channel.id }, json: { content: "Waiting for you" } }));
  }
  const page = await world.person();
  await page.addInitScript((token) => localStorage.setItem("agorusta.token", token), me.token);
  const asked = apiRequests(page);
  // The first answer lands after the socket has opened, as on a slow start: its servers are
  // read again by the open's one catch-up, not one request each.
  let first = true;
  await page.route("**/api/servers?include=details", async (route) => {
    if (first) {
      first = false;
      await page.getByText("Online", { exact: true }).waitFor({ timeout: 20_000 });
    }
    await route.continue();
  });
  await page.goto(onChannel ? `/servers/${opened.id}/channels/${channel.id}` : "/");
  const rail = page.getByRole("navigation", { name: "Servers" }).getByRole("link", { name: /^Start / });
  await expect.poll(() => rail.count(), { timeout: 20_000 }).toBe(n);
  if (onChannel) {
    await page.getByText("Waiting for you").waitFor({ timeout: 20_000 });
    await expect.poll(() => count(asked, "PUT /api/servers/:id/channels/:id/read"), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => count(asked, CATCH_UP), { timeout: 20_000 }).toBe(1);
  } else await expect.poll(() => count(asked, "GET /api/dms/online"), { timeout: 20_000 }).toBe(1);
  // The first load, then the catch-up once every server's subscription holds on the new socket:
  // the servers again, and the read states (read there only).
  await expect.poll(() => count(asked, DETAILS), { timeout: 20_000 }).toBe(2);
  await expect.poll(() => count(asked, READ_STATES), { timeout: 20_000 }).toBe(1);
  const atStart = asked.splice(0);
  // The connection drops (a redeploy); once the app is back, the catch-up of the reconnect.
  await world.app.stop();
  await page.getByText("Connection lost. Reconnecting…").waitFor();
  await world.app.start();
  await page.getByText("Online", { exact: true }).waitFor({ timeout: 20_000 });
  await expect.poll(() => count(asked, DETAILS), { timeout: 20_000 }).toBe(1);
  await expect.poll(() => count(asked, READ_STATES), { timeout: 20_000 }).toBe(1);
  await page.close();
  // A ticket is asked once per attempt to connect, as many as the drop's timing makes: not per server.
  const settled = (list: string[]) => list.filter((r) => r !== "POST /api/auth/ws-ticket").sort();
  return { atStart: settled(atStart), atReconnect: settled(asked), tickets: { atStart: count(atStart, TICKET), atReconnect: count(asked, TICKET) } };
}

describe("start-up", () => {
  it("asks the API the same requests for 2 servers as for 12, at start and at a reconnect, none of them per server", { timeout: 120_000 }, async () => {
    const two = await startIn(2);
    const twelve = await startIn(12);
    console.log(`start: ${two.atStart.length} API requests (${two.atStart.join(", ")}); reconnect: ${two.atReconnect.length} (${two.atReconnect.join(", ")})`);
    expect(twelve.atStart).toEqual(two.atStart);
    expect(twelve.atReconnect).toEqual(two.atReconnect);
    // One ticket for the first connection; the rest at most 8 with it.
    expect(two.tickets.atStart).toBe(1);
    expect(two.atStart.length + 1).toBeLessThanOrEqual(MAX_REQUESTS);
    expect(two.atReconnect.length + 1).toBeLessThanOrEqual(MAX_REQUESTS);
    expect(two.atStart.filter((r) => r.startsWith("GET /api/servers/:id"))).toEqual([]);
    expect(two.atReconnect.filter((r) => r.startsWith("GET /api/servers/:id"))).toEqual([]);
    expect(two.atStart).toEqual([...HOME_START].sort());
    expect(world.errors()).toEqual([]);
  });

  it("opened on a channel's page by its URL, asks the page's own four requests on top of the start, no server's details alone, no DM presence", { timeout: 120_000 }, async () => {
    const start = await startIn(2, { onChannel: true });
    console.log(`start on a channel: ${start.atStart.length + start.tickets.atStart} API requests (${start.atStart.join(", ")})`);
    expect(start.tickets.atStart).toBe(1);
    expect(start.atStart).toEqual([...CHANNEL_START].sort());
    expect(world.errors()).toEqual([]);
  });

  it("a channel's page shows what changed while its first page was on its way", { timeout: 120_000 }, async () => {
    const me = await apiUser(world.app.url, uniqueName("sw"));
    const other = await apiUser(world.app.url, uniqueName("sx"));
    const server = await call(me.api.servers.$post({ json: { name: `Start ${uniqueName("")}` } }));
    const { channels } = await call(me.api.servers[":id"].$get({ param: { id: server.id } }));
    const channel = channels.find((c) => c.type !== "category")!;
    const { code } = await call(me.api.servers[":id"].invites.$post({ param: { id: server.id }, json: {} }));
    await call(other.api.invites[":code"].join.$post({ param: { code } }));
    const where = { id: server.id, cid: channel.id };
    const old = await call(other.api.servers[":id"].channels[":cid"].messages.$post({ param: where, json: { content: "Before the page" } }));
    const page = await world.person();
    await page.addInitScript((token) => localStorage.setItem("agorusta.token", token), me.token);
    const asked = apiRequests(page);
    const received: string[] = [];
    page.on("websocket", (ws) => ws.on("framereceived", (f) => received.push(String(f.payload))));
    // The first page is asked at once and read (the head, then the newest messages); its answer
    // is held back while an edit and a new message are sent and until the channel's subscription
    // holds: whether their events came before it or not, they changed what the page is about to
    // show, after the head it read.
    await page.route("**/changes?newest=50", async (route) => {
      const response = await route.fetch();
      await call(other.api.servers[":id"].channels[":cid"].messages[":mid"].$patch({ param: { ...where, mid: old.id }, json: { content: "Edited meanwhile" } }));
      await call(other.api.servers[":id"].channels[":cid"].messages.$post({ param: where, json: { content: "Sent meanwhile" } }));
      const held = `{"type":"subscribed","channelId":"${channel.id}"}`;
      await expect.poll(() => received.includes(held), { timeout: 20_000 }).toBe(true);
      await route.fulfill({ response });
    });
    await page.goto(`/servers/${server.id}/channels/${channel.id}`);
    const list = page.getByRole("list", { name: /Messages in/ });
    await list.getByText("Edited meanwhile").waitFor({ timeout: 20_000 });
    await list.getByText("Sent meanwhile").waitFor({ timeout: 20_000 });
    expect(await list.getByText("Before the page").count()).toBe(0);
    // The subscription's catch-up read them from the head the load read first (its answer may be
    // on screen before Playwright reports the request finished).
    await expect.poll(() => asked.filter((r) => r.includes("/changes?since=")).length).toBe(1);
    await page.close();
  });

  it("follows at most LIVE_SERVERS servers on its socket, the open one among them, and lists them all", { timeout: 180_000 }, async () => {
    const me = await apiUser(world.app.url, uniqueName("many"));
    const servers: { id: string; name: string }[] = [];
    for (let i = 0; i < LIVE_SERVERS + 2; i++) servers.push(await call(me.api.servers.$post({ json: { name: `Many ${uniqueName("")}` } })));
    // The last one is opened by its URL: it is followed although the rail lists it last.
    const open = servers.at(-1)!;
    const { channels } = await call(me.api.servers[":id"].$get({ param: { id: open.id } }));
    const page = await world.person();
    await page.addInitScript((token) => localStorage.setItem("agorusta.token", token), me.token);
    const followed = new Set<string>();
    const refused: string[] = [];
    page.on("websocket", (ws) => {
      ws.on("framesent", (f) => {
        const frame = JSON.parse(String(f.payload)) as { action?: string; serverId?: string };
        if (frame.action === "subscribe" && frame.serverId) followed.add(frame.serverId);
        if (frame.action === "unsubscribe" && frame.serverId) followed.delete(frame.serverId);
      });
      ws.on("framereceived", (f) => String(f.payload).includes('"type":"error"') && refused.push(String(f.payload)));
    });
    const asked = apiRequests(page);
    await page.goto(`/servers/${open.id}/channels/${channels[0]!.id}`);
    const rail = page.getByRole("navigation", { name: "Servers" }).getByRole("link", { name: /^Many / });
    await expect.poll(() => rail.count(), { timeout: 60_000 }).toBe(LIVE_SERVERS + 2);
    await expect.poll(() => count(asked, READ_STATES), { timeout: 60_000 }).toBe(1);
    expect(followed.size).toBe(LIVE_SERVERS);
    expect(followed.has(open.id)).toBe(true);
    expect(followed.has(servers.at(-2)!.id)).toBe(false);
    expect(refused).toEqual([]);
    // Another server, listed: its page takes its details from the directory, with no read of its
    // own (a server followed anew as the open one changes is caught up: serverWatch's read).
    const paths: string[] = [];
    page.on("request", (r) => paths.push(new URL(r.url()).pathname));
    await rail.filter({ hasText: servers[0]!.name }).click();
    await page.waitForURL(new RegExp(`/servers/${servers[0]!.id}`));
    await page.getByText("Welcome to #general").waitFor({ timeout: 20_000 });
    expect(paths.filter((p) => p === `/api/servers/${servers[0]!.id}`)).toEqual([]);
    await page.close();
  });
});
