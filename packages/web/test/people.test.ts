/**
 * People (issue 22 items 5 and 6), in Chromium at the trial's laptop (1280x800) and a phone
 * (390x844): the member list grouped Online / Offline with counts, a profile card on a name or a
 * face, the member menu (keyboard and all, each action only where allowed), a new avatar seen
 * live by another person, ban with a reason from the menu and unban on the Bans page, and a
 * direct conversation's online dot and typing line.
 */
import { mkdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { png, putUpload } from "@agorusta/testing/files";
import { call } from "../src/lib/api.ts";
import { apiOf, apiUser, phone, register, resize, settled, shot, stage, story, uniqueName } from "./browser.ts";
import { composer, messageRow, say } from "./chatPage.ts";

const world = stage();
const { person, errors } = world;
/** The laptop of issue 22's trial. */
const laptop = { width: 1280, height: 800 };

/** The test's screenshots, also where the reviewers look for them. */
const SHOTS = process.env.PEOPLE_SHOTS ?? "/work/shots/people/";
async function snap(page: Page, name: string) {
  await settled(page);
  await shot(page, name);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png` });
}

const memberPanel = (page: Page) => page.getByRole("complementary", { name: "Members" });
const memberSheet = (page: Page) => page.getByRole("dialog", { name: "Members" });
const rowOf = (panel: ReturnType<typeof memberPanel>, username: string) => panel.getByRole("listitem").filter({ hasText: username });
const menuOf = (page: Page, username: string) => page.getByRole("menu", { name: username });
const items = async (menu: ReturnType<Page["getByRole"]>) => (await menu.getByRole("menuitem").allTextContents()).map((t) => t.trim());
/** The avatar's picture, whichever signature its URL carries now (a page loaded in another hour signs it anew). */
const pictureOf = (url: string) => `img[src^="${url.split("?")[0]}?"]`;
const cardOf = (page: Page, username: string) => page.getByRole("dialog", { name: username });

describe("people", () => {
  const ownerName = uniqueName("olive");
  const scene = story<
    { owner: Page; member: Page },
    { serverId: string; memberName: string; quietName: string; avatarUrl: string }
  >(async () => ({ owner: await person(laptop), member: await person(laptop) }));

  it("groups the member list into Online and Offline, with counts", async () => {
    const { owner, member } = scene.people;
    await register(owner, ownerName);
    const { api } = await apiOf(owner);
    const server = await call(api.servers.$post({ json: { name: `Porch ${uniqueName("")}` } }));
    const serverId = scene.learn("serverId", server.id);
    const { code } = await call(api.servers[":id"].invites.$post({ param: { id: serverId }, json: {} }));
    const memberName = scene.learn("memberName", uniqueName("mona"));
    await register(member, memberName);
    await call((await apiOf(member)).api.invites[":code"].join.$post({ param: { code } }));
    // Someone who joined and never came online.
    const quiet = await apiUser(world.app.url, scene.learn("quietName", uniqueName("quinn")));
    await call(quiet.api.invites[":code"].join.$post({ param: { code } }));

    // The member is online (their own list says so) before the owner's list loads: a presence event
    // sent before the owner's page listens would be missed until the next reconnect.
    await member.goto(`/servers/${serverId}`);
    await memberPanel(member).getByRole("heading", { name: "Online — 2" }).or(memberPanel(member).getByRole("heading", { name: "Online — 1" })).waitFor();
    await owner.goto(`/servers/${serverId}`);
    const panel = memberPanel(owner);
    await panel.getByRole("heading", { name: "Online — 2" }).waitFor();
    await panel.getByRole("heading", { name: "Offline — 1" }).waitFor();
    expect(await panel.getByRole("list").nth(0).locator(".name").allTextContents()).toEqual([ownerName, memberName]);
    expect(await panel.getByRole("list").nth(1).locator(".name").allTextContents()).toEqual([scene.fact("quietName")]);
    await snap(owner, "laptop-member-groups");
  }, 90_000);

  it("opens a profile card from a message's author and from the member list; Escape gives focus back", async () => {
    const { owner } = scene.people;
    const memberName = scene.fact("memberName");
    await say(scene.people.member, "general", "Hello porch");
    const row = messageRow(owner, "general", "Hello porch");
    await row.waitFor();
    const name = row.getByRole("button", { name: memberName, exact: true });
    await name.click();
    const card = cardOf(owner, memberName);
    await card.waitFor();
    await card.getByText("Member since").waitFor();
    await card.getByRole("button", { name: "Message" }).waitFor();
    await snap(owner, "laptop-profile-card");
    await owner.keyboard.press("Escape");
    await card.waitFor({ state: "detached" });
    expect(await name.evaluate((el) => el === document.activeElement)).toBe(true);

    // One's own card has no Message button.
    await rowOf(memberPanel(owner), ownerName).locator(".person").click();
    await cardOf(owner, ownerName).getByText("Member since").waitFor();
    expect(await cardOf(owner, ownerName).getByRole("button", { name: "Message" }).count()).toBe(0);
    await owner.keyboard.press("Escape");
  });

  it("the member menu: keyboard, each action only where allowed, and Mention into the composer", async () => {
    const { owner, member } = scene.people;
    const memberName = scene.fact("memberName");
    const target = rowOf(memberPanel(owner), memberName);
    await target.click({ button: "right" });
    const menu = menuOf(owner, memberName);
    await menu.waitFor();
    expect(await items(menu)).toEqual([
      "Profile", "Mention", "Message", "Copy username", `Kick ${memberName}`, `Ban ${memberName}`,
    ]);
    // Focus starts on the first item; arrows move (wrapping), End jumps, Escape closes and gives focus back.
    const focused = () => owner.evaluate(() => document.activeElement?.textContent?.trim());
    expect(await focused()).toBe("Profile");
    await owner.keyboard.press("ArrowDown");
    expect(await focused()).toBe("Mention");
    await owner.keyboard.press("ArrowUp");
    await owner.keyboard.press("ArrowUp");
    expect(await focused()).toBe(`Ban ${memberName}`);
    await owner.keyboard.press("Home");
    expect(await focused()).toBe("Profile");
    await snap(owner, "laptop-member-menu");
    await owner.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    expect(await owner.evaluate(() => document.activeElement?.closest("[data-member-id]") !== null)).toBe(true);

    // From the keyboard too: the menu key on the focused name opens it; Enter picks.
    await target.locator(".person").focus();
    await owner.keyboard.press("Shift+F10");
    await menu.waitFor();
    await owner.keyboard.press("ArrowDown");
    await owner.keyboard.press("Enter");
    await menu.waitFor({ state: "detached" });
    await expect.poll(() => composer(owner, "general").inputValue()).toBe(`@${memberName} `);
    await composer(owner, "general").fill("");

    await target.click({ button: "right" });
    await menu.getByRole("menuitem", { name: "Copy username" }).click();
    await expect.poll(() => owner.evaluate(() => navigator.clipboard.readText())).toBe(memberName);

    // A member may not kick or ban the owner: those items are not there.
    const ownerRow = rowOf(memberPanel(member), ownerName);
    await ownerRow.click({ button: "right" });
    expect(await items(menuOf(member, ownerName))).toEqual(["Profile", "Mention", "Message", "Copy username"]);
    await member.keyboard.press("Escape");
  });

  it("a new avatar shows live in the other person's member list, messages and open profile card", async () => {
    const { owner, member } = scene.people;
    const memberName = scene.fact("memberName");
    await messageRow(owner, "general", "Hello porch").getByRole("button", { name: memberName, exact: true }).click();
    const card = cardOf(owner, memberName);
    await card.waitFor();
    // The member changes their avatar (as their settings page does, through the API).
    const { api } = await apiOf(member);
    const picture = new Uint8Array(png(64, 64));
    const upload = await call(api.users.me.avatar.$post({ json: { filename: "me.png", contentType: "image/png", size: picture.length } }));
    expect(await putUpload(upload, picture)).toBe(200);
    const me = await call(api.users.me.avatar.$put({ json: { uploadId: upload.id } }));
    const avatarUrl = scene.learn("avatarUrl", me.avatarUrl!);
    const img = (within: ReturnType<Page["locator"]>) => within.locator(pictureOf(avatarUrl));
    await img(rowOf(memberPanel(owner), memberName)).waitFor();
    await img(messageRow(owner, "general", "Hello porch")).waitFor();
    await img(card).waitFor();
    // Their own other tab follows too.
    await img(rowOf(memberPanel(member), memberName)).waitFor();
    await snap(owner, "laptop-avatar-live");
    await owner.keyboard.press("Escape");
  });

  it("the card's Message button opens the DM: an online dot in the DM list, and typing shows there", async () => {
    const { owner, member } = scene.people;
    const memberName = scene.fact("memberName");
    await messageRow(owner, "general", "Hello porch").getByRole("button", { name: memberName, exact: true }).click();
    await cardOf(owner, memberName).getByRole("button", { name: "Message" }).click();
    await owner.waitForURL(/\/dms\//);
    const dmLink = owner.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: new RegExp(memberName) });
    await dmLink.getByRole("img", { name: "Online" }).waitFor();
    const dmId = owner.url().split("/dms/")[1]!;
    await member.goto(`/dms/${dmId}`);
    const box = member.getByRole("textbox", { name: `Message @${ownerName}` });
    await box.pressSequentially("On my", { delay: 20 });
    await owner.getByText(`${memberName} is typing…`).waitFor();
    await snap(owner, "laptop-dm-dot-typing");
    await box.fill("");
    // Gone: the dot says so.
    await member.goto("about:blank");
    await dmLink.getByRole("img", { name: "Offline" }).waitFor();
  });

  it("bans with a reason from the member menu, and unbans on the Bans page", async () => {
    const { owner } = scene.people;
    const serverId = scene.fact("serverId");
    const quietName = scene.fact("quietName");
    await owner.goto(`/servers/${serverId}`);
    const row = rowOf(memberPanel(owner), quietName);
    await row.click({ button: "right" });
    await menuOf(owner, quietName).getByRole("menuitem", { name: `Ban ${quietName}` }).click();
    const dialog = owner.getByRole("dialog", { name: `Ban ${quietName}?` });
    await dialog.getByLabel(/Reason/).fill("Spamming invites in #general");
    await snap(owner, "laptop-ban-dialog");
    await dialog.getByRole("button", { name: "Ban" }).click();
    await dialog.waitFor({ state: "detached" });
    await row.waitFor({ state: "detached" });

    await owner.goto(`/servers/${serverId}/settings`);
    const bans = owner.getByRole("region", { name: "Bans" });
    const ban = bans.getByRole("row").filter({ hasText: quietName });
    await ban.getByText("Spamming invites in #general").waitFor();
    await bans.scrollIntoViewIfNeeded();
    await snap(owner, "laptop-bans-page");
    await ban.getByRole("button", { name: `Unban ${quietName}` }).click();
    await bans.getByText("No one is banned.").waitFor();
    const { api } = await apiOf(owner);
    expect(await call(api.servers[":id"].bans.$get({ param: { id: serverId } }))).toEqual([]);
  });

  it("on a phone: the members sheet, its menu and a profile card over it, and the Bans page", async () => {
    const { owner } = scene.people;
    const serverId = scene.fact("serverId");
    const memberName = scene.fact("memberName");
    await resize(owner, phone);
    await owner.goto(`/servers/${serverId}`);
    await owner.getByRole("button", { name: "Member list" }).click();
    const sheet = memberSheet(owner);
    await sheet.getByRole("heading", { name: /^Online — / }).waitFor();
    await rowOf(sheet, memberName).click({ button: "right" });
    const menu = menuOf(owner, memberName);
    await menu.waitFor();
    await snap(owner, "phone-member-menu");
    // The menu sits in the window, above the sheet: what is under its middle is the menu.
    const box = (await menu.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(phone.width);
    expect(await owner.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest("[role=menu]") !== null, { x: box.x + box.width / 2, y: box.y + box.height / 2 })).toBe(true);
    await menu.getByRole("menuitem", { name: "Profile" }).click();
    const card = cardOf(owner, memberName);
    await card.waitFor();
    const cardBox = (await card.boundingBox())!;
    expect(cardBox.x).toBeGreaterThanOrEqual(0);
    expect(cardBox.x + cardBox.width).toBeLessThanOrEqual(phone.width);
    expect(await owner.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest("[role=dialog]")?.getAttribute("popover") === "manual", { x: cardBox.x + cardBox.width / 2, y: cardBox.y + cardBox.height / 2 })).toBe(true);
    await card.locator(pictureOf(scene.fact("avatarUrl"))).waitFor();
    await snap(owner, "phone-profile-card");
    await owner.keyboard.press("Escape");
    await card.waitFor({ state: "detached" });
    // Escape closed the card only: the sheet is still open.
    await sheet.waitFor();
    await owner.keyboard.press("Escape");

    // A ban with the longest reason there may be, on a phone's Bans page.
    const quietName = scene.fact("quietName");
    const { api } = await apiOf(owner);
    const quiet = (await call(api.users.search.$get({ query: { q: quietName } })))[0]!;
    const reason = "Kept posting the same invite link to another server in every channel, ".repeat(8).slice(0, 512);
    await call(api.servers[":id"].bans[":userId"].$put({ param: { id: serverId, userId: quiet.id }, json: { reason } }));
    await owner.goto(`/servers/${serverId}/settings`);
    const bans = owner.getByRole("region", { name: "Bans" });
    const ban = bans.getByRole("row").filter({ hasText: quietName });
    await ban.waitFor();
    await bans.scrollIntoViewIfNeeded();
    await snap(owner, "phone-bans-page");
    expect(await owner.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await ban.getByRole("button", { name: `Unban ${quietName}` }).click();
    await bans.getByText("No one is banned.").waitFor();
  });

  it("met no errors in any page", () => {
    expect(errors()).toEqual([]);
  });
});
