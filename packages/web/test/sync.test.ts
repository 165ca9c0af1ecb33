/**
 * Nothing missed, on any device (api.md "Nothing missed, on any device"), in Chromium: two
 * people and a second device of one of them, each a browser profile of its own. Unread channels
 * and servers, mention badges on channels, servers and DMs and in the tab title, appearing live
 * and clearing on every device once read; the "New messages" divider and "Jump to first unread";
 * a send whose answer was lost, retried without posting twice; and pages that were offline while
 * the conversation changed — 120 new messages, an old one edited, another deleted; or an edit
 * and a deletion far above the newest page — that then show exactly what the API says.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { channel as channelKind, sendMessage } from "@agorusta/core/conversations";
import { call, type Client } from "../src/lib/api.ts";
import { apiOf, apiUser, laptop, openNavigation, PASSWORD, phone, register, resize, shot, stage, story, uniqueName } from "./browser.ts";
import { composer, messageList, rail, scroller } from "./chatPage.ts";

const world = stage({ usageLimits: "off" });
const { person, errors } = world;

type Api = Client;
type ApiUser = Awaited<ReturnType<typeof apiUser>>;

const channels = (page: Page) => page.getByRole("navigation", { name: "Channels" });
const channelLink = (page: Page, name: string) => channels(page).getByRole("link", { name: new RegExp(`^${name}\\b`) });
const serverLink = (page: Page, name: string) => rail(page).getByRole("link", { name: new RegExp(`^${name}\\b`) });
const dmHome = (page: Page) => rail(page).getByRole("link", { name: /^Direct messages/ });
const unread = (link: ReturnType<Page["getByRole"]>) => link.getAttribute("data-unread");
const badge = async (link: ReturnType<Page["getByRole"]>) => (await link.locator(".mention-badge, .badge").allTextContents()).join("");

/** Signs in on another device (a browser profile of its own) through the sign-in page. */
async function signIn(page: Page, username: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await page.getByText("Online", { exact: true }).waitFor();
}

async function post(api: Api, serverId: string, channelId: string, content: string) {
  return call(api.servers[":id"].channels[":cid"].messages.$post({ param: { id: serverId, cid: channelId }, json: { content } }));
}

/** Posts `count` messages, ten at a time; their ids (creation order) decide where they show. */
async function postMany(api: Api, serverId: string, channelId: string, count: number, label: (i: number) => string) {
  for (let i = 0; i < count; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, (_, j) => post(api, serverId, channelId, label(i + j + 1))),
    );
  }
}

/** What the API says the channel holds, newest `back` messages or all down to `fromId`, oldest first. */
async function apiMessages(api: Api, serverId: string, channelId: string, fromId: string) {
  const all: { id: string; content: string; editedAt: string | null }[] = [];
  let before: string | undefined;
  for (;;) {
    const query = before ? { limit: "100", before } : { limit: "100" };
    const page = await call(api.servers[":id"].channels[":cid"].messages.$get({ param: { id: serverId, cid: channelId }, query }));
    all.unshift(...page);
    if (page.length < 100 || page[0]!.id <= fromId) break;
    before = page[0]!.id;
  }
  return all.filter((m) => m.id >= fromId).map((m) => ({ id: m.id, content: m.content, edited: m.editedAt !== null }));
}

/** What the page shows of a channel, oldest first. */
async function shown(page: Page, channel: string) {
  return messageList(page, channel)
    .locator("li.message")
    .evaluateAll((rows) =>
      rows.map((li) => {
        const text = li.querySelector(".content")?.textContent ?? "";
        return { id: (li as HTMLElement).dataset.messageId!, content: text.replace(/\s*\(edited\)$/, ""), edited: / \(edited\)$/.test(text) };
      }),
    );
}

/** Until this page is closed, `duplicates()` tells whether one message was ever on screen twice, even for a moment. */
async function watchDuplicates(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __duplicates: string[] };
    w.__duplicates = [];
    const check = () => {
      const ids = [...document.querySelectorAll<HTMLElement>("li.message[data-message-id]")].map((li) => li.dataset.messageId!);
      const seen = new Set<string>();
      for (const id of ids) (seen.has(id) ? w.__duplicates.push(id) : seen.add(id));
    };
    new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
  });
  return () => page.evaluate(() => (window as unknown as { __duplicates: string[] }).__duplicates);
}

/** The browser goes offline: the app says so (api.md "The installable web app"), rather than "Reconnecting…". */
async function offline(page: Page) {
  await page.context().setOffline(true);
  await page.getByText("You are offline.", { exact: false }).waitFor();
}

async function online(page: Page) {
  await page.context().setOffline(false);
  await page.getByText("Online", { exact: true }).waitFor({ timeout: 20_000 });
}

describe("unread and mentions, for two people and a second device", () => {
  const serverName = `Sync crew ${uniqueName("")}`;
  const bobName = uniqueName("bob");
  // Bob's laptop and his second device: each a browser profile of its own.
  const scene = story<{ bobLaptop: Page; bobPhone: Page }, { alice: ApiUser; serverId: string; generalId: string; randomId: string }>(
    async () => {
      const [bobLaptop, bobPhone] = await Promise.all([person(), person()]);
      return { bobLaptop, bobPhone };
    },
  );

  it("a message in another channel makes it bold and marks the server on the rail, on both of Bob's devices", async () => {
    const { bobLaptop, bobPhone } = scene.people;
    const alice = scene.learn("alice", await apiUser(world.app.url, uniqueName("alice")));
    const serverId = scene.learn("serverId", (await call(alice.api.servers.$post({ json: { name: serverName } }))).id);
    const detail = await call(alice.api.servers[":id"].$get({ param: { id: serverId } }));
    const generalId = scene.learn("generalId", detail.channels[0]!.id);
    const randomId = scene.learn(
      "randomId",
      (await call(alice.api.servers[":id"].channels.$post({ param: { id: serverId }, json: { name: "random" } }))).id,
    );
    const { code } = await call(alice.api.servers[":id"].invites.$post({ param: { id: serverId }, json: {} }));

    await register(bobLaptop, bobName);
    await call((await apiOf(bobLaptop)).api.invites[":code"].join.$post({ param: { code } }));
    await bobLaptop.goto(`/servers/${serverId}/channels/${generalId}`);
    await composer(bobLaptop, "general").waitFor();
    await signIn(bobPhone, bobName);
    await serverLink(bobPhone, serverName).waitFor();
    expect(await unread(serverLink(bobPhone, serverName))).toBe("false");
    expect(await unread(channelLink(bobLaptop, "random"))).toBe("false");

    await post(alice.api, serverId, randomId, "Anyone up for a swim?");
    await expect.poll(() => unread(channelLink(bobLaptop, "random"))).toBe("true");
    await expect.poll(() => unread(serverLink(bobPhone, serverName))).toBe("true");
    expect(await channelLink(bobLaptop, "random").evaluate((a) => Number(getComputedStyle(a).fontWeight))).toBeGreaterThanOrEqual(700);
    // The open channel is read as it comes: no mark on it.
    expect(await unread(channelLink(bobLaptop, "general"))).toBe("false");
    expect(await badge(channelLink(bobLaptop, "random"))).toBe("");
  }, 60_000);

  it("a mention counts on the channel, the server and the tab title of every device", async () => {
    const { bobLaptop, bobPhone } = scene.people;
    const alice = scene.fact("alice");
    const serverId = scene.fact("serverId");
    const randomId = scene.fact("randomId");
    await post(alice.api, serverId, randomId, `@${bobName} you in?`);
    await expect.poll(() => badge(channelLink(bobLaptop, "random"))).toBe("1");
    await expect.poll(() => badge(serverLink(bobPhone, serverName))).toBe("1");
    await expect.poll(() => bobLaptop.title()).toMatch(/^\(1\) #general/);
    await expect.poll(() => bobPhone.title()).toMatch(/^\(1\) Direct messages/);
    await post(alice.api, serverId, randomId, `Still waiting, @${bobName.toUpperCase()}`);
    await expect.poll(() => badge(channelLink(bobLaptop, "random"))).toBe("2");
    await expect.poll(() => badge(serverLink(bobLaptop, serverName))).toBe("2");
    await expect.poll(() => bobPhone.title()).toMatch(/^\(2\) /);
    await shot(bobLaptop, "laptop-unread-mentions");
    await shot(bobPhone, "laptop-unread-server-rail");
    // On a phone the marks are in the drawer.
    await resize(bobLaptop, phone);
    // On the way to the drawer too.
    expect(await bobLaptop.getByRole("button", { name: "Open navigation" }).locator(".count").textContent()).toBe("2");
    await shot(bobLaptop, "phone-unread-menu-count");
    await openNavigation(bobLaptop);
    await shot(bobLaptop, "phone-unread-mentions");
    await bobLaptop.mouse.click(phone.width - 10, phone.height / 2); // the scrim beside the drawer
    await resize(bobLaptop, laptop);
  });

  it("reading on one device puts the divider at the first new message there, and clears the marks on the other", async () => {
    const { bobLaptop, bobPhone } = scene.people;
    const alice = scene.fact("alice");
    const serverId = scene.fact("serverId");
    const randomId = scene.fact("randomId");
    await serverLink(bobPhone, serverName).click();
    await channelLink(bobPhone, "random").click();
    const list = messageList(bobPhone, "random");
    await list.getByText("Still waiting").waitFor();
    const divider = list.getByRole("separator", { name: "New messages" });
    await divider.waitFor();
    // The divider sits right above the first message Bob had not read.
    const after = await divider.evaluate((d) => d.nextElementSibling?.textContent ?? "");
    expect(after).toContain("Anyone up for a swim?");
    await shot(bobPhone, "laptop-new-messages-divider");

    await expect.poll(() => badge(channelLink(bobLaptop, "random"))).toBe("");
    await expect.poll(() => unread(channelLink(bobLaptop, "random"))).toBe("false");
    await expect.poll(() => badge(serverLink(bobLaptop, serverName))).toBe("");
    await expect.poll(() => bobLaptop.title()).toMatch(/^#general/);
    await expect.poll(() => bobPhone.title()).toMatch(/^#random/);
    // The server agrees: read up to the newest message, no mention left.
    const states = await call((await apiOf(bobLaptop)).api["read-states"].$get());
    const random = states.find((s) => s.channelId === randomId)!;
    expect(random.mentionCount).toBe(0);
    const newest = await call(alice.api.servers[":id"].channels[":cid"].messages.$get({ param: { id: serverId, cid: randomId }, query: { limit: "1" } }));
    expect(random.lastReadMessageId).toBe(newest[0]!.id);
  });

  it("a DM badges the rail's home and the conversation, and reading it on one device clears both", async () => {
    const { bobLaptop, bobPhone } = scene.people;
    const alice = scene.fact("alice");
    const bobId = (await apiOf(bobLaptop)).userId;
    const dm = await call(alice.api.dms.$post({ json: { userId: bobId } }));
    await call(alice.api.dms[":id"].messages.$post({ param: { id: dm.id }, json: { content: "Psst, a secret swim spot" } }));
    await expect.poll(() => badge(dmHome(bobLaptop))).toBe("1");
    await expect.poll(() => badge(dmHome(bobPhone))).toBe("1");
    await call(alice.api.dms[":id"].messages.$post({ param: { id: dm.id }, json: { content: "Bring goggles" } }));
    await expect.poll(() => badge(dmHome(bobPhone))).toBe("2");
    await dmHome(bobPhone).click();
    const conversation = bobPhone.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: new RegExp(alice.user.username) });
    await expect.poll(() => badge(conversation)).toBe("2");
    expect(await unread(conversation)).toBe("true");
    await shot(bobPhone, "laptop-dm-mention-badge");

    await dmHome(bobLaptop).click();
    await bobLaptop.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: new RegExp(alice.user.username) }).click();
    await bobLaptop.getByRole("list", { name: `Messages with ${alice.user.username}` }).getByText("Bring goggles").waitFor();
    await expect.poll(() => badge(conversation)).toBe("");
    await expect.poll(() => unread(conversation)).toBe("false");
    await expect.poll(() => badge(dmHome(bobPhone))).toBe("");
    await expect.poll(() => bobPhone.title()).toMatch(/^Direct messages/);
  });

  it("opening a channel whose first unread is beyond the newest page offers to jump to it", async () => {
    const { bobLaptop } = scene.people;
    const alice = scene.fact("alice");
    const serverId = scene.fact("serverId");
    const randomId = scene.fact("randomId");
    await bobLaptop.goto(`/servers/${serverId}/channels/${randomId}`);
    await messageList(bobLaptop, "random").getByText("Still waiting").waitFor();
    await expect.poll(() => unread(channelLink(bobLaptop, "random"))).toBe("false");
    await channelLink(bobLaptop, "general").click();
    await composer(bobLaptop, "general").waitFor();
    await postMany(alice.api, serverId, randomId, 80, (i) => `Lap ${String(i).padStart(2, "0")}`);
    await expect.poll(() => unread(channelLink(bobLaptop, "random"))).toBe("true");

    await channelLink(bobLaptop, "random").click();
    const list = messageList(bobLaptop, "random");
    await list.getByText("Lap 80").waitFor();
    const jump = bobLaptop.getByRole("button", { name: "Jump to first unread" });
    await jump.waitFor();
    await shot(bobLaptop, "laptop-jump-to-first-unread");
    await jump.click();
    const divider = list.getByRole("separator", { name: "New messages" });
    await divider.waitFor();
    // Between the last message Bob read and the first of the eighty (posted ten at a time, so
    // not necessarily "Lap 01").
    expect(await divider.evaluate((d) => d.previousElementSibling?.textContent ?? "")).toContain("Still waiting");
    expect(await divider.evaluate((d) => d.nextElementSibling?.textContent ?? "")).toMatch(/Lap \d\d/);
    await expect.poll(() => divider.evaluate((d) => {
      const box = d.getBoundingClientRect();
      const view = d.closest(".scroller")!.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    })).toBe(true);
    await jump.waitFor({ state: "hidden" });
    await shot(bobLaptop, "laptop-jumped-to-first-unread");
  }, 90_000);

  it("a server Bob is not looking at still reaches him: new channels, their messages, its deletion", async () => {
    const { bobLaptop, bobPhone } = scene.people;
    const alice = scene.fact("alice");
    const side = await call(alice.api.servers.$post({ json: { name: `Side room ${uniqueName("")}` } }));
    const { code } = await call(alice.api.servers[":id"].invites.$post({ param: { id: side.id }, json: {} }));
    await call((await apiOf(bobLaptop)).api.invites[":code"].join.$post({ param: { code } }));
    // Joined "in another tab": the laptop, on Sync crew, gets the server on its rail.
    await serverLink(bobLaptop, side.name).waitFor();
    await serverLink(bobPhone, side.name).waitFor();
    expect(await unread(serverLink(bobLaptop, side.name))).toBe("false");
    const news = await call(alice.api.servers[":id"].channels.$post({ param: { id: side.id }, json: { name: "news" } }));
    await post(alice.api, side.id, news.id, `@${bobName} big news`);
    await expect.poll(() => unread(serverLink(bobLaptop, side.name))).toBe("true");
    await expect.poll(() => badge(serverLink(bobLaptop, side.name))).toBe("1");
    await expect.poll(() => badge(serverLink(bobPhone, side.name))).toBe("1");
    // The new channel is in the server's list, unread, before Bob ever opened it.
    await serverLink(bobPhone, side.name).click();
    await expect.poll(() => unread(channelLink(bobPhone, "news"))).toBe("true");
    await call(alice.api.servers[":id"].$delete({ param: { id: side.id } }));
    await serverLink(bobLaptop, side.name).waitFor({ state: "detached" });
    await bobLaptop.getByText(`${side.name} was deleted by its owner.`).waitFor();
    await bobPhone.waitForURL((url) => url.pathname === "/");
    await expect.poll(() => bobLaptop.title()).not.toMatch(/^\(/);
  }, 60_000);

  it("after a server restart, a mention posted while it was down is counted on every device", async () => {
    const { bobLaptop, bobPhone } = scene.people;
    const alice = scene.fact("alice");
    const serverId = scene.fact("serverId");
    const generalId = scene.fact("generalId");
    await bobLaptop.waitForLoadState("networkidle");
    await world.app.stop();
    await bobLaptop.getByText("Connection lost. Reconnecting…").waitFor();
    await bobPhone.getByText("Connection lost. Reconnecting…").waitFor();
    // Stored while the API is down too (straight into the table), so no event can carry it.
    await sendMessage(world.app.stores, channelKind, { serverId, channelId: generalId }, { userId: alice.user.id, content: `@${bobName} still there?` });
    await world.app.start();
    await bobLaptop.getByText("Online", { exact: true }).waitFor({ timeout: 20_000 });
    await bobPhone.getByText("Online", { exact: true }).waitFor({ timeout: 20_000 });
    await expect.poll(() => badge(channelLink(bobLaptop, "general"))).toBe("1");
    await expect.poll(() => unread(channelLink(bobLaptop, "general"))).toBe("true");
    await expect.poll(() => badge(serverLink(bobPhone, serverName))).toBe("1");
    await expect.poll(() => bobPhone.title()).toMatch(/^\(1\) /);
    // And live again afterwards: reading it on the laptop clears the phone.
    await channelLink(bobLaptop, "general").click();
    await messageList(bobLaptop, "general").getByText("still there?").waitFor();
    await expect.poll(() => badge(serverLink(bobPhone, serverName))).toBe("");
  }, 60_000);

  it("raised no error in any page", () => {
    expect(errors()).toEqual([]);
  });
});

describe("desktop notifications while the tab is hidden", () => {
  it("ring for mentions and DMs by default, for every message when asked, never from a muted server", async () => {
    const page = await person();
    // The browser's Notification API and the tab's visibility, as the test sets them: a headless
    // browser shows no notifications, and its one tab is always visible.
    await page.context().addInitScript(() => {
      const w = window as unknown as { __notifications: { title: string; body: string }[]; __setHidden: (h: boolean) => void };
      w.__notifications = [];
      let hidden = false;
      w.__setHidden = (h) => {
        hidden = h;
        document.dispatchEvent(new Event("visibilitychange"));
      };
      Object.defineProperty(document, "visibilityState", { get: () => (hidden ? "hidden" : "visible"), configurable: true });
      Object.defineProperty(document, "hidden", { get: () => hidden, configurable: true });
      class FakeNotification {
        static permission: NotificationPermission = "default";
        static async requestPermission() {
          FakeNotification.permission = "granted";
          return FakeNotification.permission;
        }
        onclick: (() => void) | null = null;
        constructor(title: string, options?: NotificationOptions) {
          w.__notifications.push({ title, body: options?.body ?? "" });
        }
        close() {}
      }
      (window as unknown as { Notification: unknown }).Notification = FakeNotification;
    });
    const notified = () => page.evaluate(() => (window as unknown as { __notifications: { title: string; body: string }[] }).__notifications);
    const setHidden = (hidden: boolean) => page.evaluate((h) => (window as unknown as { __setHidden: (h: boolean) => void }).__setHidden(h), hidden);

    const writer = await apiUser(world.app.url, uniqueName("wes"));
    const serverName = `Bell tower ${uniqueName("")}`;
    const server = await call(writer.api.servers.$post({ json: { name: serverName } }));
    const channelId = (await call(writer.api.servers[":id"].$get({ param: { id: server.id } }))).channels[0]!.id;
    const { code } = await call(writer.api.servers[":id"].invites.$post({ param: { id: server.id }, json: {} }));
    const name = uniqueName("nia");
    await register(page, name);
    const me = await apiOf(page);
    await call(me.api.invites[":code"].join.$post({ param: { code } }));
    await page.goto(`/servers/${server.id}/channels/${channelId}`);
    await composer(page, "general").waitFor();

    const settings = async () => {
      await page.getByRole("button", { name: "Notification settings" }).click();
      return page.getByRole("dialog", { name: `Notifications for ${serverName}` });
    };
    let dialog = await settings();
    await dialog.getByRole("button", { name: "Allow desktop notifications" }).click();
    await dialog.getByRole("button", { name: "Allow desktop notifications" }).waitFor({ state: "detached" });
    expect(await dialog.getByLabel("Only @mentions").isChecked()).toBe(true);
    await shot(page, "laptop-notification-settings");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    await setHidden(true);
    await post(writer.api, server.id, channelId, "Just chatting");
    await post(writer.api, server.id, channelId, `@${name} the bells need you`);
    await expect.poll(notified).toHaveLength(1);
    expect(await notified()).toEqual([{ title: `${writer.user.username} mentioned you in #general (${serverName})`, body: `@${name} the bells need you` }]);
    const dm = await call(writer.api.dms.$post({ json: { userId: me.userId } }));
    await call(writer.api.dms[":id"].messages.$post({ param: { id: dm.id }, json: { content: "A word in private" } }));
    await expect.poll(notified).toHaveLength(2);
    expect((await notified())[1]).toEqual({ title: writer.user.username, body: "A word in private" });
    // Hidden, nothing is read: the channel and the server stay unread.
    await expect.poll(() => unread(serverLink(page, serverName))).toBe("true");

    dialog = await settings();
    await dialog.getByLabel("All messages").check();
    await page.keyboard.press("Escape");
    await post(writer.api, server.id, channelId, "Tea at four");
    await expect.poll(notified).toHaveLength(3);
    expect((await notified())[2]).toEqual({ title: `${writer.user.username} in #general (${serverName})`, body: "Tea at four" });

    dialog = await settings();
    await dialog.getByLabel(`Mute ${serverName}`).check();
    await page.keyboard.press("Escape");
    // Muted: no unread mark on the rail (the mention count stays), and no notification.
    await expect.poll(() => unread(serverLink(page, serverName))).toBe("false");
    expect(await badge(serverLink(page, serverName))).toBe("1");
    await post(writer.api, server.id, channelId, `@${name} are you muted?`);
    await expect.poll(() => badge(serverLink(page, serverName))).toBe("2");
    dialog = await settings();
    await dialog.getByLabel(`Mute ${serverName}`).uncheck();
    await page.keyboard.press("Escape");
    await post(writer.api, server.id, channelId, "Unmuted again");
    await expect.poll(notified).toHaveLength(4);
    expect((await notified()).map((n) => n.body)).toEqual([`@${name} the bells need you`, "A word in private", "Tea at four", "Unmuted again"]);

    // Back to the tab: what is on screen is read, everywhere.
    await setHidden(false);
    await expect.poll(() => badge(serverLink(page, serverName))).toBe("");
    // The DM, not opened yet, is the one mention left.
    await expect.poll(() => page.title()).toMatch(/^\(1\) #general/);
  }, 90_000);
});

describe("a send whose answer was lost", () => {
  it("shows as failed, and its retry stores nothing twice: one message, on screen and in the API", async () => {
    const page = await person();
    // Bob's socket passes through the test, which keeps the echo of one message from him: only
    // the retry can tell him it was stored.
    await page.context().routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        if (!String(m).includes("Lost in the post")) ws.send(m);
      });
    });
    const name = uniqueName("lee");
    await register(page, name);
    const { api } = await apiOf(page);
    const server = await call(api.servers.$post({ json: { name: `Post office ${uniqueName("")}` } }));
    const channelId = (await call(api.servers[":id"].$get({ param: { id: server.id } }))).channels[0]!.id;
    await page.goto(`/servers/${server.id}/channels/${channelId}`);
    await composer(page, "general").waitFor();
    // The catch-up that follows subscribing is over (it would bring the stored message too).
    await page.waitForLoadState("networkidle");

    // The first try reaches the API, which stores it; its answer never comes back.
    let tries = 0;
    await page.route(/\/messages$/, async (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      tries += 1;
      if (tries > 1) return route.fallback();
      await route.fetch();
      await route.abort("timedout");
    });
    await composer(page, "general").fill("Lost in the post");
    await composer(page, "general").press("Enter");
    const row = messageList(page, "general").getByRole("listitem").filter({ hasText: "Lost in the post" });
    await row.getByText(/^Not sent/).waitFor();
    await shot(page, "laptop-send-failed");
    await row.getByRole("button", { name: "Retry" }).click();
    const stored = await call(api.servers[":id"].channels[":cid"].messages.$get({ param: { id: server.id, cid: channelId }, query: { limit: "10" } }));
    expect(stored.map((m) => m.content)).toEqual(["Lost in the post"]);
    expect(stored[0]!.nonce).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    // The retry's answer (200: the message first stored) takes the placeholder's place, once.
    await expect.poll(() => row.getAttribute("data-message-id")).toBe(stored[0]!.id);
    expect(await row.count()).toBe(1);
    expect(await row.getByText(/^Not sent/).count()).toBe(0);
    expect(tries).toBe(2);
    const again = await call(api.servers[":id"].channels[":cid"].messages.$get({ param: { id: server.id, cid: channelId }, query: { limit: "10" } }));
    expect(again.map((m) => m.id)).toEqual([stored[0]!.id]);
  });
});

describe("a message written offline", () => {
  it("shows as not sent, and goes by itself, once, when the connection is back", async () => {
    const page = await person();
    await register(page, uniqueName("ola"));
    const { api } = await apiOf(page);
    const server = await call(api.servers.$post({ json: { name: `Dead zone ${uniqueName("")}` } }));
    const channelId = (await call(api.servers[":id"].$get({ param: { id: server.id } }))).channels[0]!.id;
    await page.goto(`/servers/${server.id}/channels/${channelId}`);
    await composer(page, "general").waitFor();
    await page.waitForLoadState("networkidle");
    await offline(page);
    await composer(page, "general").fill("Written in the tunnel");
    await composer(page, "general").press("Enter");
    const row = messageList(page, "general").getByRole("listitem").filter({ hasText: "Written in the tunnel" });
    await row.getByText(/^Not sent/).waitFor();
    await online(page);
    // "Not sent" goes as soon as the send starts again; the message is stored once its answer came.
    const list = () => call(api.servers[":id"].channels[":cid"].messages.$get({ param: { id: server.id, cid: channelId }, query: { limit: "10" } }));
    await expect.poll(async () => (await list()).map((m) => m.content)).toEqual(["Written in the tunnel"]);
    const stored = await list();
    await expect.poll(() => row.getAttribute("data-message-id")).toBe(stored[0]!.id);
    expect(await row.count()).toBe(1);
    expect(await row.getByText(/^Not sent/).count()).toBe(0);
    expect((await list()).map((m) => m.id)).toEqual([stored[0]!.id]);
  });
});

describe("a page that was offline converges to exactly the server's state", () => {
  let reader: Page;
  let writer: Awaited<ReturnType<typeof apiUser>>;
  let serverId = "";
  let channelId = "";

  async function scene(history: number, prefix: string) {
    writer = await apiUser(world.app.url, uniqueName("writer"));
    const server = await call(writer.api.servers.$post({ json: { name: `${prefix} ${uniqueName("")}` } }));
    serverId = server.id;
    channelId = (await call(writer.api.servers[":id"].$get({ param: { id: serverId } }))).channels[0]!.id;
    const { code } = await call(writer.api.servers[":id"].invites.$post({ param: { id: serverId }, json: {} }));
    await postMany(writer.api, serverId, channelId, history, (i) => `Old ${String(i).padStart(3, "0")}`);
    reader = await person();
    await register(reader, uniqueName("reader"));
    await call((await apiOf(reader)).api.invites[":code"].join.$post({ param: { code } }));
    await reader.goto(`/servers/${serverId}/channels/${channelId}`);
    await messageList(reader, "general").getByText(`Old ${String(history).padStart(3, "0")}`).waitFor();
    await reader.waitForLoadState("networkidle");
  }

  const idOf = async (text: string) =>
    (await messageList(reader, "general").getByRole("listitem").filter({ hasText: text }).getAttribute("data-message-id"))!;

  it("offline while 120 messages were posted, an old one edited and another deleted: the same as the API, in place", async () => {
    await scene(60, "Night shift");
    const duplicates = await watchDuplicates(reader);
    // The reader has scrolled up a little, to a message of the newest page.
    const anchor = messageList(reader, "general").getByRole("listitem").filter({ hasText: "Old 040" });
    await anchor.evaluate((li) => li.scrollIntoView({ block: "center" }));
    const top = () => anchor.evaluate((li) => Math.round(li.getBoundingClientRect().top));
    const before = await top();
    // Both above what the reader sees: their rows change, the reader's place must not.
    const [edited, deleted] = [await idOf("Old 012"), await idOf("Old 015")];

    await offline(reader);
    await postMany(writer.api, serverId, channelId, 120, (i) => `New ${String(i).padStart(3, "0")}`);
    await call(writer.api.servers[":id"].channels[":cid"].messages[":mid"].$patch({
      param: { id: serverId, cid: channelId, mid: edited },
      json: { content: "Old 012, corrected" },
    }));
    await call(writer.api.servers[":id"].channels[":cid"].messages[":mid"].$delete({ param: { id: serverId, cid: channelId, mid: deleted } }));
    await online(reader);

    // Converged: what the page shows, from its oldest loaded message on, is what the API holds.
    const converged = async () => {
      const onScreen = await shown(reader, "general");
      return JSON.stringify(onScreen) === JSON.stringify(await apiMessages(writer.api, serverId, channelId, onScreen[0]!.id));
    };
    await expect.poll(converged, { timeout: 20_000 }).toBe(true);
    const texts = (await shown(reader, "general")).map((m) => m.content);
    expect(texts).toContain("Old 012, corrected");
    expect(texts).not.toContain("Old 015");
    expect(texts.filter((t) => t.startsWith("New "))).toHaveLength(120);
    expect(await duplicates()).toEqual([]);
    // The reader's place stays where it was; what came is below, counted.
    expect(Math.abs((await top()) - before)).toBeLessThanOrEqual(2);
    await reader.getByRole("button", { name: /new messages/ }).waitFor();
    await shot(reader, "laptop-offline-caught-up");
  }, 120_000);

  it("offline for a moment while a message far above the newest page was edited and another deleted", async () => {
    await scene(160, "Archive");
    // The whole history is loaded by scrolling up, then the reader goes back to the newest.
    const list = messageList(reader, "general");
    while ((await list.getByText("Old 001").count()) === 0) {
      await scroller(reader).evaluate((el) => el.scrollTo({ top: 0 }));
      await list.locator("li.message").first().waitFor();
      await reader.waitForTimeout(100);
    }
    await scroller(reader).evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    const duplicates = await watchDuplicates(reader);
    const [edited, deleted] = [await idOf("Old 010"), await idOf("Old 020")];

    await offline(reader);
    await call(writer.api.servers[":id"].channels[":cid"].messages[":mid"].$patch({
      param: { id: serverId, cid: channelId, mid: edited },
      json: { content: "Old 010, rewritten" },
    }));
    await call(writer.api.servers[":id"].channels[":cid"].messages[":mid"].$delete({ param: { id: serverId, cid: channelId, mid: deleted } }));
    await online(reader);

    await list.getByText("Old 010, rewritten").waitFor();
    await list.getByText("Old 020").waitFor({ state: "detached" });
    const onScreen = await shown(reader, "general");
    expect(onScreen).toEqual(await apiMessages(writer.api, serverId, channelId, onScreen[0]!.id));
    expect((await shown(reader, "general")).length).toBe(159);
    expect(await duplicates()).toEqual([]);
    // Still at the newest message.
    expect(await scroller(reader).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(2);
    await list.getByText("Old 010, rewritten").scrollIntoViewIfNeeded();
    await shot(reader, "laptop-offline-far-edit");
  }, 120_000);

  it("a cursor the feed no longer keeps (410) starts again from the newest page, which is the server's", async () => {
    await scene(70, "Long sleep");
    const list = messageList(reader, "general");
    await offline(reader);
    await postMany(writer.api, serverId, channelId, 5, (i) => `Morning ${i}`);
    // As after more than 30 days asleep: the feed answers that it no longer keeps the cursor.
    let expired = 0;
    await reader.route(/\/changes\?since=/, (route) => {
      expired += 1;
      return route.fulfill({
        status: 410,
        contentType: "application/json",
        body: JSON.stringify({ error: { code: "cursor_expired", message: "This cursor is older than the change feed keeps." } }),
      });
    });
    await online(reader);
    await list.getByText("Morning 5").waitFor();
    await reader.unroute(/\/changes\?since=/);
    expect(expired).toBeGreaterThanOrEqual(1);
    const onScreen = await shown(reader, "general");
    expect(onScreen).toEqual(await apiMessages(writer.api, serverId, channelId, onScreen[0]!.id));
    expect(onScreen.map((m) => m.content).slice(-5).sort()).toEqual(["Morning 1", "Morning 2", "Morning 3", "Morning 4", "Morning 5"]);
  }, 120_000);

  it("raised no error in any page", () => {
    expect(errors()).toEqual([]);
  });
});
