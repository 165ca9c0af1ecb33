/**
 * What people write and share beyond plain text, in two browsers: formatting (and that nothing
 * typed becomes markup or script), mentions, replies, reactions, attachments and avatars.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { call } from "../src/lib/api.ts";
import { apiOf, register, shot, stage, uniqueName } from "./browser.ts";

const world = stage();
const { person, errors } = world;

const messageList = (page: Page, channel: string) => page.getByRole("list", { name: `Messages in #${channel}` });
const composer = (page: Page, channel: string) => page.getByRole("textbox", { name: `Message #${channel}` });
const messageRow = (page: Page, channel: string, text: string) =>
  messageList(page, channel).getByRole("listitem").filter({ hasText: text });

async function say(page: Page, channel: string, text: string) {
  await composer(page, channel).fill(text);
  await composer(page, channel).press("Enter");
}

describe("formatting, replies, reactions and files between two people", () => {
  const aliceName = uniqueName("alice");
  const bobName = uniqueName("bob");
  let alice: Page;
  let bob: Page;
  let serverId = "";

  it("Alice and Bob meet in a server", async () => {
    [alice, bob] = await Promise.all([person(), person()]);
    await Promise.all([register(alice, aliceName), register(bob, bobName)]);
    const { api } = await apiOf(alice);
    const server = await call(api.servers.$post({ json: { name: `Darkroom ${uniqueName("")}` } }));
    serverId = server.id;
    const { code } = await call(api.servers[":id"].invites.$post({ param: { id: serverId }, json: {} }));
    const bobs = await apiOf(bob);
    await call(bobs.api.invites[":code"].join.$post({ param: { code } }));
    await Promise.all([alice.goto(`/servers/${serverId}`), bob.goto(`/servers/${serverId}`)]);
    await Promise.all([composer(alice, "general").waitFor(), composer(bob, "general").waitFor()]);
  });

  it("draws bold, italic, strikethrough, code, quotes, spoilers and links as the other side reads them", async () => {
    const text = [
      "**bold** *italic* ~~struck~~ `inline code` ||the twist|| see https://example.com/guide?a=1",
      "> a quoted line",
      "```",
      "const answer = 42; // **not bold**",
      "```",
    ].join("\n");
    await composer(alice, "general").fill(text);
    await composer(alice, "general").press("Enter");
    const row = messageRow(bob, "general", "italic");
    await row.waitFor();
    expect(await row.locator("strong").first().textContent()).toBe("bold");
    expect(await row.locator("em").textContent()).toBe("italic");
    expect(await row.locator("s").textContent()).toBe("struck");
    expect(await row.locator("p code").textContent()).toBe("inline code");
    expect(await row.locator("blockquote").textContent()).toBe("a quoted line");
    expect(await row.locator("pre code").textContent()).toBe("const answer = 42; // **not bold**");

    const link = row.getByRole("link", { name: "https://example.com/guide?a=1" });
    expect(await link.getAttribute("href")).toBe("https://example.com/guide?a=1");
    expect(await link.getAttribute("target")).toBe("_blank");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer nofollow");

    // The spoiler hides its text until clicked.
    const spoiler = row.getByRole("button", { name: "Spoiler, select to reveal" });
    await spoiler.waitFor();
    expect(await row.getByText("the twist").isVisible()).toBe(true); // in the layout, but…
    expect(await spoiler.evaluate((el) => getComputedStyle(el.firstElementChild!).opacity)).toBe("0");
    await shot(bob, "laptop-formatting");
    await spoiler.click();
    await spoiler.waitFor({ state: "detached" });
    expect(await row.getByText("the twist").evaluate((el) => getComputedStyle(el).opacity)).toBe("1");
  });

  it("leaves markup and javascript: links inert, whatever is typed", async () => {
    const hostile = [
      `<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>`,
      `[click me](javascript:window.__pwned=3) javascript:window.__pwned=4`,
      `<a href="javascript:window.__pwned=5">x</a> ||<img src=y onerror="window.__pwned=6">||`,
    ].join("\n");
    await composer(bob, "general").fill(hostile);
    await composer(bob, "general").press("Enter");
    const row = messageRow(alice, "general", "click me");
    await row.waitFor();
    for (const line of hostile.split("\n").slice(0, 2)) await row.getByText(line, { exact: false }).first().waitFor();
    await row.getByRole("button", { name: "Spoiler, select to reveal" }).click();
    const found = await alice.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      images: document.querySelectorAll(".messages img:not(.avatar-image):not(.attachment-image)").length,
      scripts: document.querySelectorAll(".messages script").length,
      anchors: [...document.querySelectorAll(".messages a")].map((a) => a.getAttribute("href")),
      handlers: [...document.querySelectorAll(".messages *")].filter((el) => [...el.attributes].some((a) => a.name.startsWith("on"))).length,
    }));
    expect(found).toEqual({ pwned: undefined, images: 0, scripts: 0, anchors: ["https://example.com/guide?a=1"], handlers: 0 });
    expect(await row.textContent()).toContain(`<img src=x onerror="window.__pwned=1">`);
    expect(await row.textContent()).toContain(`[click me](javascript:window.__pwned=3)`);
  });

  it("highlights a mention of a member, and the message that names the reader stands out", async () => {
    await say(alice, "general", `@${bobName} can you bring the tripod? cc @nobody-here`);
    const row = messageRow(bob, "general", "bring the tripod");
    await row.waitFor();
    const mention = row.locator(".mention");
    expect(await mention.allTextContents()).toEqual([`@${bobName}`]);
    await expect.poll(() => row.evaluate((el) => el.classList.contains("mentioned"))).toBe(true);
    // Alice's own copy names Bob, not her: it does not stand out for her.
    const hers = messageRow(alice, "general", "bring the tripod");
    await hers.locator(".mention").waitFor();
    expect(await hers.evaluate((el) => el.classList.contains("mentioned"))).toBe(false);
    await shot(bob, "laptop-mention");
  });

  it("had no page errors", () => {
    expect(errors()).toEqual([]);
  });
});
