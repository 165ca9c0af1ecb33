/**
 * A message's parts as a new user meets them, on a laptop (1280x800) and a phone (390x844): the
 * message list is one Tab stop with arrow keys between messages and into a message's actions,
 * the message menu (right-click, a touch long press, the keyboard) lists only what this reader
 * may do, a message link opens the conversation at the message, images open in an in-app viewer,
 * and a file card keeps its own size beside an image. Driven in Chromium.
 */
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { call } from "../src/lib/api.ts";
import { png, text } from "@agorusta/testing/files";
import { apiOf, apiUser, phone, register, settled, shot, stage, story, uniqueName } from "./browser.ts";
import { composer, messageList, messageRow } from "./chatPage.ts";

const world = stage();
const { person, errors } = world;
/** How long a poll waits for the page to get there (uploads, the clipboard, a scroll). */
const soon = { timeout: 10_000 };
/** The laptop of issue 22's trial. */
const laptop = { width: 1280, height: 800 };

/** What has focus: a message row's id, or the focused control's label (its aria-label, title or text). */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return "nothing";
    return el.dataset.messageId ? `row:${el.dataset.messageId}` : (el.getAttribute("aria-label") ?? el.getAttribute("title") ?? el.textContent?.trim() ?? el.tagName);
  });
/** How many elements of the list are in the Tab order. */
const tabStops = (list: Locator) =>
  list.evaluate((ol) => [...ol.querySelectorAll<HTMLElement>("a[href], button, input, textarea, [tabindex]")].filter((el) => el.tabIndex >= 0).length);
/** A message's row by its id (its text may be in an editor, or quoted in a reply below it). */
const rowOf = (page: Page, id: string) => page.locator(`li[data-message-id="${id}"]`);
const menu = (page: Page) => page.getByRole("menu");
const menuEntries = (page: Page) => menu(page).getByRole("menuitem").allTextContents().then((all) => all.map((t) => t.trim()));
/** Whether the element is within the message list's visible area. */
const inView = (el: Locator) =>
  el.evaluate((node) => {
    const list = node.closest(".scroller")!.getBoundingClientRect();
    const box = node.getBoundingClientRect();
    return box.top >= list.top - 1 && box.bottom <= list.bottom + 1;
  });

describe("a message's parts: keys, menu, link, images and files", () => {
  const ownerName = uniqueName("olga");
  const memberName = uniqueName("mia");
  const scene = story<
    { owner: Page },
    { serverId: string; channelId: string; ids: Record<string, string>; member: Awaited<ReturnType<typeof apiUser>> }
  >(async () => ({ owner: await person(laptop) }));

  const post = async (who: "owner" | "member", content: string) => {
    const api = who === "member" ? scene.fact("member").api : (await apiOf(scene.people.owner)).api;
    const message = await call(
      api.servers[":id"].channels[":cid"].messages.$post({ param: { id: scene.fact("serverId"), cid: scene.fact("channelId") }, json: { content } }),
    );
    return message.id;
  };
  const channelPath = () => `/servers/${scene.fact("serverId")}/channels/${scene.fact("channelId")}`;
  /** A page of the member's own (signed in with their token), at `address` (by default #general). */
  const memberPage = async (viewport: { width: number; height: number }, address = channelPath()) => {
    const page = await person(viewport);
    await page.goto("/login");
    await page.evaluate((token) => localStorage.setItem("agorusta.token", token), scene.fact("member").token!);
    await page.goto(address);
    return page;
  };

  it("the owner and a member have talked in #general", async () => {
    const { owner } = scene.people;
    await register(owner, ownerName);
    const { api } = await apiOf(owner);
    const server = await call(api.servers.$post({ json: { name: `Reading room ${uniqueName("")}` } }));
    scene.learn("serverId", server.id);
    const detail = await call(api.servers[":id"].$get({ param: { id: server.id } }));
    scene.learn("channelId", detail.channels[0]!.id);
    const member = scene.learn("member", await apiUser(world.app.url, memberName));
    const { code } = await call(api.servers[":id"].invites.$post({ param: { id: server.id }, json: {} }));
    await call(member.api.invites[":code"].join.$post({ param: { code } }));
    scene.learn("ids", {
      morning: await post("member", "Morning all"),
      coffee: await post("owner", "Coffee is on"),
      agenda: await post("member", "Agenda at ten"),
    });
    await owner.goto(channelPath());
    await messageRow(owner, "general", "Agenda at ten").waitFor();
  }, 60_000);

  it("on a laptop, the list is one Tab stop: arrows move between messages and through a message's actions", async () => {
    const { owner } = scene.people;
    const ids = scene.fact("ids");
    const list = messageList(owner, "general");
    expect(await tabStops(list)).toBe(1);

    // Back from the composer: the newest message is the list's one stop.
    await composer(owner, "general").focus();
    for (let i = 0; i < 4 && !(await focused(owner)).startsWith("row:"); i++) await owner.keyboard.press("Shift+Tab");
    expect(await focused(owner)).toBe(`row:${ids.agenda}`);
    // Its name for a screen reader: who, what, when.
    expect(await list.getByRole("listitem", { name: new RegExp(`^${memberName}:? Agenda at ten .+`) }).evaluate((li) => li === document.activeElement)).toBe(true);

    await owner.keyboard.press("ArrowUp");
    expect(await focused(owner)).toBe(`row:${ids.coffee}`);
    await owner.keyboard.press("ArrowUp");
    expect(await focused(owner)).toBe(`row:${ids.morning}`);
    await owner.keyboard.press("ArrowDown");
    expect(await focused(owner)).toBe(`row:${ids.coffee}`);
    expect(await tabStops(list)).toBe(1);

    // Into the owner's own message's actions, along them (wrapping), and back out with Escape.
    await owner.keyboard.press("ArrowRight");
    expect(await focused(owner)).toBe("Add reaction");
    const along: string[] = [];
    for (let i = 0; i < 5; i++) {
      await owner.keyboard.press("ArrowRight");
      along.push(await focused(owner));
    }
    expect(along).toEqual(["Reply", "Edit message", "Delete message", "More", "Add reaction"]);
    await owner.keyboard.press("ArrowLeft");
    expect(await focused(owner)).toBe("More");
    await settled(owner);
    await shot(owner, "laptop-message-actions-by-keyboard");
    await owner.keyboard.press("Escape");
    expect(await focused(owner)).toBe(`row:${ids.coffee}`);

    // Tab goes into the focused message (its controls, its actions last and as one stop), then out
    // of the list: no other message, and nothing inside one, is a stop.
    const stops: string[] = [];
    for (let i = 0; i < 6; i++) {
      await owner.keyboard.press("Tab");
      if (!(await rowOf(owner, ids.coffee).evaluate((li) => li.contains(document.activeElement)))) break;
      stops.push(await focused(owner));
    }
    expect(stops.at(-1)).toBe("Add reaction");
    expect(stops.filter((s) => ["Reply", "Edit message", "Delete message", "More"].includes(s))).toEqual([]);
    expect(await list.evaluate((ol) => ol.contains(document.activeElement))).toBe(false);
    // And back: the list remembers the message last focused.
    for (let i = 0; i < 4 && !(await focused(owner)).startsWith("row:"); i++) await owner.keyboard.press("Shift+Tab");
    expect(await focused(owner)).toBe(`row:${ids.coffee}`);

    // Home and End: the first and the last message loaded.
    await owner.keyboard.press("End");
    expect(await focused(owner)).toBe(`row:${ids.agenda}`);

    // Shift+F10 (or the menu key) opens the focused message's menu; Escape gives focus back to it.
    await owner.keyboard.press("Shift+F10");
    await owner.getByRole("menu").waitFor();
    expect(await focused(owner)).toBe("Add reaction");
    await owner.keyboard.press("Escape");
    await owner.getByRole("menu").waitFor({ state: "detached" });
    expect(await focused(owner)).toBe(`row:${ids.agenda}`);

    // Enter on Reply starts a reply, and typing goes on in the composer.
    await owner.keyboard.press("ArrowRight");
    await owner.keyboard.press("ArrowRight");
    expect(await focused(owner)).toBe("Reply");
    await owner.keyboard.press("Enter");
    await owner.getByText(`Replying to @${memberName}`).waitFor();
    await expect.poll(() => composer(owner, "general").evaluate((t) => t === document.activeElement), soon).toBe(true);
    await owner.keyboard.type("Ten it is");
    await owner.keyboard.press("Enter");
    // Once stored (a row with a name: a message being sent has none yet).
    const replied = list.getByRole("listitem", { name: /Ten it is/ });
    await replied.getByRole("button", { name: new RegExp(`^Reply to ${memberName}: Agenda at ten`) }).waitFor();
    const reply = rowOf(owner, (await replied.getAttribute("data-message-id"))!);

    // Enter on Edit opens the editor on the message; Escape closes it and typing goes back to the composer.
    await reply.focus();
    await owner.keyboard.press("ArrowRight");
    await owner.keyboard.press("ArrowRight");
    await owner.keyboard.press("ArrowRight");
    expect(await focused(owner)).toBe("Edit message");
    await owner.keyboard.press("Enter");
    await reply.getByRole("textbox", { name: "Edit message" }).waitFor();
    await owner.keyboard.press("Escape");
    await reply.getByRole("textbox", { name: "Edit message" }).waitFor({ state: "detached" });

    // Delete by keyboard: once confirmed, focus goes to the message now in its place, not the page's start.
    await reply.focus();
    await owner.keyboard.press("ArrowLeft");
    await owner.keyboard.press("ArrowLeft");
    expect(await focused(owner)).toBe("Delete message");
    await owner.keyboard.press("Enter");
    const confirm = owner.getByRole("dialog", { name: "Delete message" });
    await confirm.getByRole("button", { name: "Delete" }).click();
    await confirm.waitFor({ state: "hidden" });
    await reply.waitFor({ state: "detached" });
    await expect.poll(() => focused(owner), soon).toBe(`row:${ids.agenda}`);
    expect(errors()).toEqual([]);
  });

  it("on a laptop, a right-click opens the message's menu with only what this reader may do, and copies its text and link", async () => {
    const { owner } = scene.people;
    const ids = scene.fact("ids");
    // The owner on a member's message: no editing, but deleting (the owner may manage messages).
    await messageRow(owner, "general", "Morning all").getByText("Morning all").click({ button: "right" });
    await menu(owner).waitFor();
    expect(await menuEntries(owner)).toEqual(["Add reaction", "Reply", "Copy text", "Copy message link", "Delete message"]);
    await settled(owner);
    await shot(owner, "laptop-message-menu-owner");
    // Focus is in the menu; the keys move through it.
    expect(await focused(owner)).toBe("Add reaction");
    await owner.keyboard.press("ArrowUp");
    expect(await focused(owner)).toBe("Delete message");
    await owner.keyboard.press("Escape");
    await menu(owner).waitFor({ state: "detached" });

    await messageRow(owner, "general", "Morning all").getByText("Morning all").click({ button: "right" });
    await menu(owner).getByRole("menuitem", { name: "Copy text" }).click();
    await expect.poll(() => owner.evaluate(() => navigator.clipboard.readText()), soon).toBe("Morning all");
    await messageRow(owner, "general", "Morning all").getByText("Morning all").click({ button: "right" });
    await menu(owner).getByRole("menuitem", { name: "Copy message link" }).click();
    const link = `${world.app.url}${channelPath()}#message-${ids.morning}`;
    await expect.poll(() => owner.evaluate(() => navigator.clipboard.readText()), soon).toBe(link);

    // The member, on the owner's message and on their own.
    const member = await memberPage(laptop);
    await messageRow(member, "general", "Coffee is on").getByText("Coffee is on").click({ button: "right" });
    await menu(member).waitFor();
    expect(await menuEntries(member)).toEqual(["Add reaction", "Reply", "Copy text", "Copy message link"]);
    await member.keyboard.press("Escape");
    await rowOf(member, ids.agenda).getByText("Agenda at ten").click({ button: "right" });
    await menu(member).waitFor();
    expect(await menuEntries(member)).toEqual(["Add reaction", "Reply", "Copy text", "Copy message link", "Edit message", "Delete message"]);
    await shot(member, "laptop-message-menu-own");
    await member.keyboard.press("Escape");

    // From the keyboard: the "More" action opens the same menu, and its entries act.
    await messageList(member, "general").getByRole("listitem", { name: /Agenda at ten/ }).focus();
    await member.keyboard.press("ArrowLeft");
    expect(await focused(member)).toBe("More");
    await member.keyboard.press("Enter");
    await menu(member).waitFor();
    await member.keyboard.press("ArrowUp");
    await member.keyboard.press("ArrowUp");
    expect(await focused(member)).toBe("Edit message");
    await member.keyboard.press("Enter");
    const editor = rowOf(member, ids.agenda).getByRole("textbox", { name: "Edit message" });
    await editor.fill("Agenda at half past ten");
    await editor.press("Enter");
    await messageRow(owner, "general", "Agenda at half past ten").getByText("(edited)").waitFor();

    // A message link opens the conversation scrolled to the message, even with a page of talk after it.
    for (let i = 0; i < 30; i++) await post(i % 2 ? "owner" : "member", `Chatter ${i}: ${"and so on ".repeat(i % 5)}`);
    const reader = await memberPage(laptop, link);
    const target = messageRow(reader, "general", "Morning all");
    await target.waitFor();
    await expect.poll(() => inView(target), soon).toBe(true);
    await expect.poll(() => target.evaluate((li) => li.classList.contains("flash")), soon).toBe(true);
    // Opened with the page around the message (issue 24: `around=`), the newest talk may not even be loaded.
    const newest = messageRow(reader, "general", "Chatter 29");
    expect((await newest.count()) === 0 || !(await inView(newest))).toBe(true);
    await shot(reader, "laptop-message-link-opened");
    await Promise.all([member.close(), reader.close()]);
    expect(errors()).toEqual([]);
  }, 120_000);

  it("on a phone, a long press opens the menu (and does not also tap what was pressed)", async () => {
    const page = await memberPage(phone);
    const row = messageRow(page, "general", "Coffee is on");
    await row.waitFor();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Emulation.setTouchEmulationEnabled", { enabled: true, maxTouchPoints: 5 });
    await row.scrollIntoViewIfNeeded();
    const box = (await row.getByText("Coffee is on").boundingBox())!;
    const point = { x: box.x + 10, y: box.y + box.height / 2 };
    // The finger rests until the menu is there, then lifts.
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point] });
    await menu(page).waitFor();
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await settled(page);
    expect(await menu(page).isVisible()).toBe(true);
    expect(await menuEntries(page)).toEqual(["Add reaction", "Reply", "Copy text", "Copy message link"]);
    // Inside the phone's screen.
    const placed = (await menu(page).boundingBox())!;
    expect(placed.x).toBeGreaterThanOrEqual(0);
    expect(placed.x + placed.width).toBeLessThanOrEqual(phone.width);
    await shot(page, "phone-message-menu-long-press");
    await menu(page).getByRole("menuitem", { name: "Reply" }).click();
    await page.getByText(`Replying to @${ownerName}`).waitFor();

    // A short tap is a tap: no menu.
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point] });
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await settled(page);
    expect(await menu(page).count()).toBe(0);
    await page.close();
    expect(errors()).toEqual([]);
  });

  it("images open in a viewer (arrows between them, Escape or a click outside closes it), and a file card keeps its size beside them", async () => {
    const { owner } = scene.people;
    await owner.locator('input[type="file"]').setInputFiles([
      { name: "harbour.png", mimeType: "image/png", buffer: png(1200, 800) },
      { name: "lighthouse.png", mimeType: "image/png", buffer: png(600, 900) },
      { name: "minutes.txt", mimeType: "text/plain", buffer: text(20 * 1024) },
    ]);
    await expect.poll(() => owner.getByRole("list", { name: "Files to send" }).getByRole("progressbar").count(), soon).toBe(0);
    await composer(owner, "general").fill("Photos and the minutes");
    await composer(owner, "general").press("Enter");
    const row = messageRow(owner, "general", "Photos and the minutes");
    const first = row.getByRole("link", { name: "harbour.png" }).getByRole("img");
    await first.waitFor();

    // The file card: its own height and width, not the images'.
    const card = (await row.getByRole("link", { name: /minutes\.txt/ }).boundingBox())!;
    const picture = (await first.boundingBox())!;
    expect(picture.height).toBeGreaterThan(200);
    expect(card.height).toBeLessThan(80);
    expect(card.width).toBeLessThanOrEqual(360);
    await row.scrollIntoViewIfNeeded();
    await shot(owner, "laptop-images-and-file");

    // A click opens the viewer on that image, fit to the screen.
    await first.click();
    const viewer = owner.getByRole("dialog", { name: "harbour.png, image 1 of 2" });
    await viewer.waitFor();
    const shown = viewer.getByRole("img", { name: "harbour.png" });
    await expect.poll(() => shown.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), soon).toBe(1200);
    const big = (await shown.boundingBox())!;
    expect(big.width).toBeGreaterThan(picture.width);
    expect(big.y + big.height).toBeLessThanOrEqual(laptop.height);
    expect(await viewer.getByRole("link", { name: "Open original" }).getAttribute("href")).toBe(await first.getAttribute("src"));
    await settled(owner);
    await shot(owner, "laptop-image-viewer");
    await owner.keyboard.press("ArrowRight");
    await owner.getByRole("dialog", { name: "lighthouse.png, image 2 of 2" }).waitFor();
    await owner.keyboard.press("ArrowRight");
    await owner.getByRole("dialog", { name: "harbour.png, image 1 of 2" }).waitFor();
    await owner.keyboard.press("ArrowLeft");
    await owner.getByRole("dialog", { name: "lighthouse.png, image 2 of 2" }).waitFor();
    await owner.keyboard.press("Escape");
    await owner.getByRole("dialog").waitFor({ state: "detached" });
    // Focus is back on the image that opened it, and the list's arrows are the list's again.
    expect(await row.getByRole("link", { name: "harbour.png" }).evaluate((a) => a === document.activeElement)).toBe(true);

    // By keyboard: Tab from the message into its images, Enter opens; a click outside closes.
    await row.focus();
    for (let i = 0; i < 4 && (await focused(owner)) !== "harbour.png"; i++) await owner.keyboard.press("Tab");
    expect(await focused(owner)).toBe("harbour.png");
    await owner.keyboard.press("Tab");
    expect(await focused(owner)).toBe("lighthouse.png");
    await owner.keyboard.press("Enter");
    await owner.getByRole("dialog", { name: "lighthouse.png, image 2 of 2" }).waitFor();
    await owner.mouse.click(laptop.width - 4, laptop.height / 2 + 200);
    await owner.getByRole("dialog").waitFor({ state: "detached" });

    // On a phone the viewer fits the narrow screen.
    const page = await memberPage(phone);
    const theirs = messageRow(page, "general", "Photos and the minutes");
    await theirs.getByRole("link", { name: "lighthouse.png" }).click();
    const onPhone = page.getByRole("dialog", { name: "lighthouse.png, image 2 of 2" });
    await onPhone.waitFor();
    const tall = onPhone.getByRole("img", { name: "lighthouse.png" });
    await expect.poll(() => tall.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), soon).toBe(600);
    const fit = (await tall.boundingBox())!;
    expect(fit.x).toBeGreaterThanOrEqual(0);
    expect(fit.x + fit.width).toBeLessThanOrEqual(phone.width);
    expect(fit.y + fit.height).toBeLessThanOrEqual(phone.height);
    for (const name of ["Open original", "Close", "Previous image", "Next image"]) {
      const control = (await onPhone.getByRole(name === "Open original" ? "link" : "button", { name }).boundingBox())!;
      expect(control.x).toBeGreaterThanOrEqual(0);
      expect(control.x + control.width).toBeLessThanOrEqual(phone.width);
    }
    await settled(page);
    await shot(page, "phone-image-viewer");
    await onPhone.getByRole("button", { name: "Close" }).click();
    await onPhone.waitFor({ state: "detached" });
    // The phone's file card beside the images: still its own size.
    const phoneCard = (await theirs.getByRole("link", { name: /minutes\.txt/ }).boundingBox())!;
    expect(phoneCard.height).toBeLessThan(80);
    expect(phoneCard.x + phoneCard.width).toBeLessThanOrEqual(phone.width);
    await theirs.scrollIntoViewIfNeeded();
    await shot(page, "phone-images-and-file");
    await page.close();
    expect(errors()).toEqual([]);
  });
});
