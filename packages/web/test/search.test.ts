/**
 * Search in the web app (issue 24 item 4), one story: a server with a long history, a word half
 * remembered typed as its first letters with a filter picked from the suggestions, the hit 150
 * messages up opened in place, history loading both ways from there while a live message comes,
 * a reply's jump far above the loaded page, and a member on a phone who never finds what is said
 * in a channel they cannot see.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { channel as channelKind, sendMessage } from "@agorusta/core/conversations";
import { PERMISSIONS } from "@agorusta/core/permissions";
import { joinByInvite } from "@agorusta/core/servers";
import { call } from "../src/lib/api.ts";
import { apiOf, laptop, phone, register, resize, settled, shot, stage, story, uniqueName } from "./browser.ts";
import { messageList, scroller } from "./chatPage.ts";

// The scene is written through core (no rate limits there); the people's own sends go through the API.
const world = stage({ usageLimits: "off", search: true });
const { person, errors } = world;

/** The seeded history: message `i` of #general, in order; 50 is the one searched for, 150 above the newest. */
const HISTORY = 200;
const TARGET = 50;
const line = (i: number) => `Message ${i}: notes about the garden and the weather`;
const targetText = "The quarterly thermodynamics review moves to Thursday";

const results = (page: Page) => page.getByRole("complementary", { name: "Search results" });
const searchBox = (page: Page) => page.getByRole("combobox");
const row = (page: Page, text: string) => messageList(page, "general").locator("li.message").filter({ hasText: text });

/** Scrolls the conversation to one end, again and again as pages load there, until `text` is in the list. */
async function scrollUntil(page: Page, end: "top" | "bottom", text: string) {
  for (let i = 0; i < 30; i++) {
    await scroller(page).evaluate((el, toTop) => (el.scrollTop = toTop ? 0 : el.scrollHeight), end === "top");
    const found = await row(page, text).first().waitFor({ timeout: 1500 }).then(() => true, () => false);
    if (found) return;
  }
  throw new Error(`"${text}" never loaded scrolling to the ${end}.`);
}

/** Waits until a message row is drawn highlighted (the jump's flash lasts two seconds: watched every frame). */
function flashed(page: Page, text: string): Promise<unknown> {
  const seen = page.waitForFunction((t) => [...document.querySelectorAll("li.message.flash")].some((li) => li.textContent?.includes(t)), text, { polling: "raf", timeout: 20_000 });
  // Awaited after the click that causes it: a click that fails first is the failure to report.
  seen.catch(() => {});
  return seen;
}

describe("finding a message said long ago, and reading around it", () => {
  const adaName = uniqueName("ada_lovelace_countess_");
  const cleoName = uniqueName("cleo_the_night_gardener_");
  const serverName = `The Analytical Engine Appreciation Society ${uniqueName("")}`;
  const secretChannel = "staff-only-planning-and-the-secret-budget-discussions";
  const scene = story<{ ada: Page; cleo: Page }, { serverId: string; generalId: string; secretId: string; cleoId: string; ids: string[] }>(async () => {
    // A laptop of 1280 px (the results take 420 of them) and, later, a phone.
    const [ada, cleo] = await Promise.all([person({ width: 1280, height: 800 }), person(laptop)]);
    return { ada, cleo };
  });

  it("sets the scene: two members, a channel one of them cannot see, 200 messages of history", async () => {
    const { ada, cleo } = scene.people;
    await register(ada, adaName);
    await register(cleo, cleoName);
    const { api, userId: adaId } = await apiOf(ada);
    const { userId: cleoId } = await apiOf(cleo);
    scene.learn("cleoId", cleoId);
    const { id: serverId } = await call(api.servers.$post({ json: { name: serverName } }));
    const server = await call(api.servers[":id"].$get({ param: { id: serverId } }));
    const generalId = scene.learn("generalId", server.channels.find((c) => c.name === "general")!.id);
    scene.learn("serverId", server.id);
    const secret = await call(
      api.servers[":id"].channels.$post({
        param: { id: server.id },
        json: { name: secretChannel, overwrites: [{ id: server.id, type: "role", allow: "0", deny: String(PERMISSIONS.VIEW_CHANNEL) }] },
      }),
    );
    scene.learn("secretId", secret.id);
    const { code } = await call(api.servers[":id"].invites.$post({ param: { id: server.id }, json: {} }));
    await joinByInvite(world.app.db, code, cleoId);

    const general = { serverId: server.id, channelId: generalId };
    const ids: string[] = [];
    for (let i = 0; i < HISTORY; i++) {
      const userId = i % 2 ? cleoId : adaId;
      const content = i === TARGET ? targetText : i === TARGET + 21 ? "My thermometer broke again" : line(i);
      // The newest message answers one far above every page the channel opens with.
      const replyTo = i === HISTORY - 1 ? ids[5] : undefined;
      ids.push((await sendMessage(world.app.stores, channelKind, general, { userId: i === TARGET ? adaId : userId, content, replyTo })).message.id);
    }
    scene.learn("ids", ids);
    await sendMessage(world.app.stores, channelKind, { serverId: server.id, channelId: secret.id }, { userId: adaId, content: "The thermostat budget is secret" });

    // The index is written off the request path: the scene is ready once it finds the last of it.
    const found = async () =>
      (await call(api.servers[":id"].messages.search.$get({ param: { id: server.id }, query: { q: "thermostat" } }))).messages.length > 0 &&
      (await call(api.servers[":id"].messages.search.$get({ param: { id: server.id }, query: { q: "thermodynamics" } }))).messages.length > 0;
    await expect.poll(found, { timeout: 120_000, interval: 250 }).toBe(true);
  }, 240_000);

  it("Ada types a filter from the suggestions and half a word: the hits show their channel, author and the words found", async () => {
    const { ada } = scene.people;
    await ada.goto(`/servers/${scene.fact("serverId")}/channels/${scene.fact("generalId")}`);
    await row(ada, line(HISTORY - 2)).waitFor();
    const box = searchBox(ada);
    await box.click();
    // The filter words are offered at once; typing narrows them; none is chosen until an arrow chooses it.
    const options = ada.getByRole("listbox", { name: "Search options" });
    await options.getByRole("option", { name: /^has:/ }).waitFor();
    await box.pressSequentially("fr");
    await expect.poll(() => options.locator(".name").allTextContents()).toEqual(["from:"]);
    expect(await box.getAttribute("aria-activedescendant")).toBeNull();
    await box.press("ArrowDown");
    await box.press("Enter");
    expect(await box.inputValue()).toBe("from:");
    // Then the members, narrowed by what is typed; Tab picks.
    const members = ada.getByRole("listbox", { name: "Members" });
    await members.getByRole("option", { name: cleoName }).waitFor();
    await box.pressSequentially(adaName.slice(0, 5));
    await expect.poll(() => members.locator(".name").allTextContents()).toEqual([adaName]);
    await box.press("Tab");
    expect(await box.inputValue()).toBe(`from:${adaName} `);
    // Escape closes a list without losing what is typed.
    await box.pressSequentially("in:");
    await ada.getByRole("listbox", { name: "Channels" }).getByRole("option", { name: secretChannel }).waitFor();
    await box.press("Escape");
    await ada.getByRole("listbox").waitFor({ state: "detached" });
    await box.press("Backspace");
    await box.press("Backspace");
    await box.press("Backspace");
    await box.pressSequentially("THERMO");
    await box.press("Enter");

    const panel = results(ada);
    await panel.getByRole("heading", { name: "2 results" }).waitFor();
    const hits = panel.getByRole("link");
    // Newest first: the secret channel's (Ada may see it), then #general's; Cleo's thermometer is not Ada's.
    expect(await hits.count()).toBe(2);
    await expect.poll(() => hits.nth(0).textContent()).toContain(`#${secretChannel}`);
    expect(await hits.nth(1).textContent()).toContain("#general");
    expect(await hits.nth(1).textContent()).toContain(adaName);
    expect(await hits.nth(1).locator("mark").allTextContents()).toEqual(["thermodynamics"]);
    expect(await hits.nth(0).locator("mark").allTextContents()).toEqual(["thermostat"]);
    await shot(ada, "laptop-search-results");
    expect(errors()).toEqual([]);
  }, 60_000);

  it("the hit 150 messages up opens in place, highlighted, with neither end of the history loaded", async () => {
    const { ada } = scene.people;
    const hit = results(ada).getByRole("link").filter({ hasText: "#general" });
    const flash = flashed(ada, targetText);
    await hit.click();
    await flash;
    await ada.waitForURL(new RegExp(`/channels/${scene.fact("generalId")}#message-${scene.fact("ids")[TARGET]}$`));
    const target = row(ada, targetText);
    expect(await target.isVisible()).toBe(true);
    const box = (await target.boundingBox())!;
    const view = (await scroller(ada).boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(view.y);
    expect(box.y + box.height).toBeLessThanOrEqual(view.y + view.height);
    // The page around it: neither the newest nor the first messages.
    expect(await row(ada, line(HISTORY - 2)).count()).toBe(0);
    expect(await row(ada, line(0)).count()).toBe(0);
    await ada.getByRole("button", { name: "Jump to present" }).waitFor();
    // The results stay beside the conversation.
    await results(ada).getByRole("heading", { name: "2 results" }).waitFor();
    await shot(ada, "laptop-search-hit-in-place");
  }, 60_000);

  it("a message sent meanwhile is counted, and older and newer history load from there as Ada scrolls, the live one last", async () => {
    const { ada, cleo } = scene.people;
    const { api } = await apiOf(cleo);
    const at = { id: scene.fact("serverId"), cid: scene.fact("generalId") };
    await call(api.servers[":id"].channels[":cid"].messages.$post({ param: at, json: { content: "Fresh news while you read old things" } }));
    await ada.getByRole("button", { name: "1 new message" }).waitFor();
    expect(await row(ada, "Fresh news while you read old things").count()).toBe(0);

    await scrollUntil(ada, "top", line(0));
    await messageList(ada, "general").getByText(line(1), { exact: true }).waitFor();
    await ada.getByRole("heading", { name: "Welcome to #general" }).waitFor();
    await scrollUntil(ada, "bottom", "Fresh news while you read old things");
    // Every message once, in order, from the first to the live one.
    const texts = await messageList(ada, "general").locator("li.message .content").allTextContents();
    expect(texts.length).toBe(HISTORY + 1);
    expect(texts.at(-1)).toBe("Fresh news while you read old things");
    expect(texts[TARGET]).toBe(targetText);
    // At the present again: the next live message joins the list at once.
    await scroller(ada).evaluate((el) => (el.scrollTop = el.scrollHeight));
    await call(api.servers[":id"].channels[":cid"].messages.$post({ param: at, json: { content: "And another, live" } }));
    await row(ada, "And another, live").waitFor();
    await ada.getByRole("button", { name: "Jump to present" }).waitFor({ state: "detached" });
  }, 90_000);

  it("a reply's quoted message far above the loaded page opens the same way", async () => {
    const { ada } = scene.people;
    await results(ada).getByRole("button", { name: "Close search" }).first().click();
    await results(ada).waitFor({ state: "detached" });
    await ada.goto(`/servers/${scene.fact("serverId")}/channels/${scene.fact("generalId")}`);
    const reply = row(ada, line(HISTORY - 1));
    await reply.waitFor();
    // (The reply's own row quotes its text: the quoted message is found by its id.)
    const quoted = messageList(ada, "general").locator(`li[data-message-id="${scene.fact("ids")[5]}"]`);
    expect(await quoted.count()).toBe(0);
    const flash = flashed(ada, line(5));
    await reply.getByRole("button", { name: /Go to the original message/ }).click();
    await flash;
    expect(await quoted.isVisible()).toBe(true);
    // From there, the present is a click away.
    await ada.getByRole("button", { name: "Jump to present" }).click();
    await row(ada, "And another, live").waitFor();
    expect(errors()).toEqual([]);
  }, 60_000);

  it("on a phone, Cleo's results take the screen and close back; the channel she cannot see is never found", async () => {
    const { cleo } = scene.people;
    await resize(cleo, phone);
    await cleo.goto(`/servers/${scene.fact("serverId")}/channels/${scene.fact("generalId")}`);
    await row(cleo, "And another, live").waitFor();
    // On a phone the header keeps its room for the channel's name: the box is a glass until tapped.
    const title = cleo.getByRole("heading", { level: 1, name: "general" });
    expect(await title.evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(true);
    const box = searchBox(cleo);
    await cleo.getByRole("search").getByTitle("Search").click();
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await settled(cleo);
    await shot(cleo, "phone-search-typing");
    await box.pressSequentially("therm");
    await box.press("Enter");
    const panel = results(cleo);
    await panel.getByRole("heading", { name: "2 results" }).waitFor();
    const area = (await panel.boundingBox())!;
    expect(area.width).toBe(phone.width);
    expect(area.height).toBe(phone.height);
    const texts = await panel.getByRole("link").allTextContents();
    expect(texts.some((t) => t.includes("thermometer"))).toBe(true);
    expect(texts.some((t) => t.includes("thermodynamics"))).toBe(true);
    expect(texts.join(" ")).not.toContain("thermostat");
    expect(texts.join(" ")).not.toContain(secretChannel);
    await shot(cleo, "phone-search-results");
    // Nor through the API, by its words or its channel.
    const { api } = await apiOf(cleo);
    const id = scene.fact("serverId");
    expect((await call(api.servers[":id"].messages.search.$get({ param: { id }, query: { q: "thermostat" } }))).messages).toEqual([]);
    expect((await call(api.servers[":id"].messages.search.$get({ param: { id }, query: { q: "secret", channelId: scene.fact("secretId") } }))).messages).toEqual([]);
    // Nor can the box name that channel.
    await box.fill(`in:${secretChannel} budget`);
    await box.press("Enter");
    await panel.getByRole("alert").getByText(`There is no channel #${secretChannel} you can see.`).waitFor();

    // Back closes the results; a hit opens its message in place of them.
    await panel.getByRole("button", { name: "Close search" }).first().click();
    await panel.waitFor({ state: "detached" });
    await box.fill("thermodyn");
    await box.press("Enter");
    const flash = flashed(cleo, targetText);
    await panel.getByRole("link").first().click();
    await flash;
    await panel.waitFor({ state: "detached" });
    expect(await row(cleo, targetText).isVisible()).toBe(true);
    await shot(cleo, "phone-search-hit-in-place");
    expect(errors()).toEqual([]);
  }, 90_000);
});
