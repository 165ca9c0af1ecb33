/**
 * The longest names the contract allows (a 100-character channel and server, 32-character
 * usernames, a long file name) never break the layout, on a laptop and on a phone: nothing wider
 * than its box (a cut name ends in an ellipsis and carries its full text as a tooltip), the page
 * never scrolls sideways, mention badges and the Kick button stay on screen, and the phone's closed
 * drawer leaves the chat usable. Measured in the page, in Chromium.
 */
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { call } from "../src/lib/api.ts";
import { apiOf, apiUser, openNavigation, phone, register, resize, settled, shot, stage, story, uniqueName } from "./browser.ts";
import { composer, messageRow } from "./chatPage.ts";

const world = stage();
/** The laptop of issue 22's trial. */
const laptop = { width: 1280, height: 800 };
const { person, errors } = world;

/** A name of exactly `length` characters: `prefix` (made unique) padded with `fill`. */
const longName = (prefix: string, fill: string, length: number) => {
  const start = uniqueName(prefix);
  return (start + fill.repeat(length)).slice(0, length);
};

// No spaces or hyphens: nothing lets the browser break the channel name or the usernames onto a
// second line, so only truncation keeps them in their boxes. The server name has spaces, as most do.
const channelName = longName("announcements", "Andeverythingelseworthknowing", 100);
const ownerName = longName("olga", "W", 32);
const memberName = longName("mia", "M", 32);
const serverName = longName("The ", " Extraordinarily Long-Named Society of Night Owls", 100);
const fileName = longName("minutes", "_of_the_annual_general_meeting", 180) + ".txt";

/**
 * What overflows in the page: the document wider than the window, and any text that reaches past
 * the box of an element holding it, unless an element on the way cuts it with an ellipsis and
 * carries the whole of it as a tooltip (`title`). The walk up from a text stops at an element
 * placed on its own (absolute or fixed: a badge on an icon's corner, the phone's drawer) after
 * checking it, as where such an element sits is the layout's choice, not its content spilling.
 */
function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) problems.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
    const describe = (el: Element) => `<${el.tagName.toLowerCase()} class="${el.getAttribute("class") ?? ""}">`;
    const cutWell = (el: Element) => {
      const text = (el.textContent ?? "").trim().replace(/^[#@]/, "");
      return getComputedStyle(el).textOverflow === "ellipsis" && (el.getAttribute("title") ?? "").includes(text.slice(0, 24));
    };
    // Text kept for screen readers only, in a box of a pixel (SvelteKit's route announcer).
    const hiddenVisually = (from: Element) => {
      for (let el: Element | null = from; el; el = el.parentElement) if (el.clientWidth <= 1 && getComputedStyle(el).overflow === "hidden") return true;
      return false;
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent!.trim();
      const parent = node.parentElement!;
      if (!text || parent.closest(".sr-only, dialog:not([open]), svg") || hiddenVisually(parent)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()];
      if (rects.length === 0) continue;
      const left = Math.min(...rects.map((r) => r.left));
      const right = Math.max(...rects.map((r) => r.right));
      for (let el: Element | null = parent; el && el !== document.body; el = el.parentElement) {
        if (cutWell(el)) break;
        const box = el.getBoundingClientRect();
        const inner = { left: box.left + el.clientLeft, right: box.left + el.clientLeft + el.clientWidth };
        if (el.clientWidth > 0 && (right > inner.right + 1 || left < inner.left - 1)) {
          problems.push(`"${text.slice(0, 30)}…" reaches past ${describe(el)} (${Math.round(left)}–${Math.round(right)} in ${Math.round(inner.left)}–${Math.round(inner.right)})`);
          break;
        }
        if (["absolute", "fixed"].includes(getComputedStyle(el).position)) break;
      }
    }
    return problems;
  });
}

/** Whether the whole of `target` is inside the window and inside `within`'s box. */
async function onScreen(target: Locator, within: Locator) {
  const [box, outer] = await Promise.all([target.boundingBox(), within.boundingBox()]);
  const size = target.page().viewportSize()!;
  expect(box, "the element is laid out").not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(Math.max(0, outer!.x) - 0.5);
  expect(box!.x + box!.width).toBeLessThanOrEqual(Math.min(size.width, outer!.x + outer!.width) + 0.5);
}

/** The composer takes clicks across its width (nothing, like a closed drawer, lies over it). */
async function composerReachable(page: Page) {
  const box = await composer(page, channelName).or(composer(page, "general")).boundingBox();
  const points = [0.1, 0.5, 0.9].map((f) => ({ x: box!.x + box!.width * f, y: box!.y + box!.height / 2 }));
  const hits = await page.evaluate(
    (points) => points.map(({ x, y }) => document.elementFromPoint(x, y)?.tagName.toLowerCase() ?? "nothing"),
    points,
  );
  expect(hits).toEqual(["textarea", "textarea", "textarea"]);
}

/** The empty composer is one line tall: its placeholder ("Message #<channel>") does not wrap. */
async function placeholderOnOneLine(page: Page) {
  const box = composer(page, channelName);
  const empty = await box.evaluate((t) => t.getBoundingClientRect().height);
  await box.fill("x");
  const typed = await box.evaluate((t) => t.getBoundingClientRect().height);
  await box.fill("");
  expect(empty).toBe(typed);
}

describe("the longest names the contract allows", () => {
  const scene = story<{ owner: Page }, { serverId: string; generalId: string; channelId: string; member: Awaited<ReturnType<typeof apiUser>> }>(
    async () => ({ owner: await person(laptop) }),
  );

  const mention = async (text: string) => {
    const { api } = scene.fact("member");
    await call(
      api.servers[":id"].channels[":cid"].messages.$post({
        param: { id: scene.fact("serverId"), cid: scene.fact("channelId") },
        json: { content: `@${ownerName} ${text}` },
      }),
    );
  };
  const channelLink = (page: Page) => page.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: new RegExp(`^${channelName}`) });

  it("on a laptop, the sidebar keeps a 100-character channel and its mention badge inside it", async () => {
    const { owner } = scene.people;
    await register(owner, ownerName);
    const { api } = await apiOf(owner);
    const server = await call(api.servers.$post({ json: { name: serverName } }));
    const serverId = scene.learn("serverId", server.id);
    const detail = await call(api.servers[":id"].$get({ param: { id: serverId } }));
    scene.learn("generalId", detail.channels[0]!.id);
    const channel = await call(api.servers[":id"].channels.$post({ param: { id: serverId }, json: { name: channelName } }));
    scene.learn("channelId", channel.id);
    const member = scene.learn("member", await apiUser(world.app.url, memberName));
    const { code } = await call(api.servers[":id"].invites.$post({ param: { id: serverId }, json: {} }));
    await call(member.api.invites[":code"].join.$post({ param: { code } }));

    // Mentioned before the page opens, so the count comes with the page (not a race with its socket).
    await mention("the agenda is up");
    await owner.goto(`/servers/${serverId}/channels/${scene.fact("generalId")}`);
    await composer(owner, "general").waitFor();
    const badge = channelLink(owner).locator(".mention-badge");
    await badge.waitFor();
    await settled(owner);
    await shot(owner, "laptop-long-names-sidebar");
    expect(await overflows(owner)).toEqual([]);
    const sidebar = owner.getByRole("navigation", { name: "Channels" });
    expect(await sidebar.evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
    await onScreen(badge, sidebar);
  });

  it("on a laptop, the long channel's page: header, placeholder, file card, reply and member list with Kick", async () => {
    const { owner } = scene.people;
    const { api } = scene.fact("member");
    await channelLink(owner).click();
    await composer(owner, channelName).waitFor();
    await placeholderOnOneLine(owner);

    await owner.locator('input[type="file"]').setInputFiles({ name: fileName, mimeType: "text/plain", buffer: Buffer.from("Minutes.\n") });
    const queue = owner.getByRole("list", { name: "Files to send" });
    await queue.getByText(fileName.slice(0, 20)).waitFor();
    expect(await overflows(owner)).toEqual([]);
    await queue.getByRole("progressbar").waitFor({ state: "detached" });
    await composer(owner, channelName).fill("The minutes, as promised");
    await composer(owner, channelName).press("Enter");
    const row = messageRow(owner, channelName, "The minutes, as promised");
    await row.getByRole("link", { name: new RegExp(fileName.slice(0, 20)) }).waitFor();
    const messages = await call(
      api.servers[":id"].channels[":cid"].messages.$get({ param: { id: scene.fact("serverId"), cid: scene.fact("channelId") }, query: {} }),
    );
    const minutes = messages.find((m) => m.content === "The minutes, as promised")!;
    await call(
      api.servers[":id"].channels[":cid"].messages.$post({
        param: { id: scene.fact("serverId"), cid: scene.fact("channelId") },
        json: { content: "Thanks, reading them now", replyTo: minutes.id },
      }),
    );
    await messageRow(owner, channelName, "Thanks, reading them now").waitFor();

    const members = owner.getByRole("complementary", { name: "Members" });
    const kick = members.getByRole("button", { name: `Kick ${memberName}` });
    await kick.waitFor();
    // With a mouse the button shows on pointing at the row: point at it, for the screenshot.
    await kick.hover();
    await settled(owner);
    await shot(owner, "laptop-long-names-channel");
    expect(await overflows(owner)).toEqual([]);
    await onScreen(kick, members);

    await owner.getByRole("button", { name: "Invite people" }).first().click();
    const invite = owner.getByRole("dialog", { name: `Invite people to ${serverName}` });
    await invite.waitFor();
    await settled(owner);
    await shot(owner, "laptop-long-names-invite-dialog");
    expect(await overflows(owner)).toEqual([]);
    await owner.keyboard.press("Escape");

    await owner.goto(`/servers/${scene.fact("serverId")}/settings`);
    await owner.getByRole("region", { name: "Invites" }).waitFor();
    await settled(owner);
    await shot(owner, "laptop-long-names-settings");
    expect(await overflows(owner)).toEqual([]);
  });

  it("on a phone, the closed drawer leaves the chat usable and the open one keeps the badge on screen", async () => {
    const { owner } = scene.people;
    await resize(owner, phone);
    // Away from the long channel first: a mention arriving while it is open is read at once.
    await owner.goto(`/servers/${scene.fact("serverId")}/channels/${scene.fact("generalId")}`);
    await composer(owner, "general").waitFor();
    await mention("one more thing");
    await owner.reload();
    await composer(owner, "general").waitFor();
    await channelLink(owner).locator(".mention-badge").waitFor({ state: "attached" });
    await settled(owner);
    await shot(owner, "phone-long-names-chat");
    await composerReachable(owner);
    expect(await overflows(owner)).toEqual([]);

    await openNavigation(owner);
    await shot(owner, "phone-long-names-drawer");
    expect(await overflows(owner)).toEqual([]);
    const sidebar = owner.getByRole("navigation", { name: "Channels" });
    expect(await sidebar.evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
    await onScreen(channelLink(owner).locator(".mention-badge"), sidebar);
  });

  it("on a phone, the long channel: header, placeholder, messages and the member sheet with Kick", async () => {
    const { owner } = scene.people;
    await channelLink(owner).click();
    await composer(owner, channelName).waitFor();
    await settled(owner);
    await composerReachable(owner);
    await placeholderOnOneLine(owner);
    await shot(owner, "phone-long-names-channel");
    expect(await overflows(owner)).toEqual([]);

    await owner.getByRole("button", { name: "Member list" }).click();
    const sheet = owner.getByRole("dialog", { name: "Members" });
    const kick = sheet.getByRole("button", { name: `Kick ${memberName}` });
    await kick.waitFor();
    // With a mouse the button shows on pointing at the row: point at it, for the screenshot.
    await kick.hover();
    await settled(owner);
    await shot(owner, "phone-long-names-members");
    expect(await overflows(owner)).toEqual([]);
    await onScreen(kick, sheet);
    expect(errors()).toEqual([]);
  });
});
