/**
 * What people write and share beyond plain text, in two browsers: formatting (and that nothing
 * typed becomes markup or script), mentions, replies, reactions, attachments and avatars.
 */
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { channel as channelKind, sendMessage } from "@agorusta/core/conversations";
import { call } from "../src/lib/api.ts";
import { apiOf, phone, register, shot, stage, story, uniqueName } from "./browser.ts";
import { composer, messageList, messageRow, say } from "./chatPage.ts";
import { png, text } from "@agorusta/testing/files";

const world = stage();
const { person, errors } = world;

const reaction = (row: Locator, emoji: string) => row.getByRole("group", { name: "Reactions" }).getByRole("button", { name: new RegExp(`^${emoji} `) });
/** Whether the element is within the message list's visible area. */
const inView = (page: Page, el: Locator) =>
  el.evaluate((node) => {
    const list = node.closest(".scroller")!.getBoundingClientRect();
    const box = node.getBoundingClientRect();
    return box.top >= list.top && box.bottom <= list.bottom;
  });

describe("formatting, replies, reactions and files between two people", () => {
  const aliceName = uniqueName("alice");
  const bobName = uniqueName("bob");
  const scene = story<{ alice: Page; bob: Page }, { serverId: string }>(async () => {
    const [alice, bob] = await Promise.all([person(), person()]);
    return { alice, bob };
  });

  it("Alice and Bob meet in a server", async () => {
    const { alice, bob } = scene.people;
    await Promise.all([register(alice, aliceName), register(bob, bobName)]);
    const { api } = await apiOf(alice);
    const server = await call(api.servers.$post({ json: { name: `Darkroom ${uniqueName("")}` } }));
    const serverId = scene.learn("serverId", server.id);
    const { code } = await call(api.servers[":id"].invites.$post({ param: { id: serverId }, json: {} }));
    const bobs = await apiOf(bob);
    await call(bobs.api.invites[":code"].join.$post({ param: { code } }));
    await Promise.all([alice.goto(`/servers/${serverId}`), bob.goto(`/servers/${serverId}`)]);
    await Promise.all([composer(alice, "general").waitFor(), composer(bob, "general").waitFor()]);
  });

  it("draws bold, italic, strikethrough, code, quotes, spoilers and links as the other side reads them", async () => {
    const { alice, bob } = scene.people;
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
    const { alice, bob } = scene.people;
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
    const { alice, bob } = scene.people;
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

  it("replies show whom they answer, and a click goes back to the original, however far back", async () => {
    const { alice, bob } = scene.people;
    // The original, then more than a page of chat after it (straight into the table: quicker).
    await say(alice, "general", "Who has the key to the darkroom?");
    const shown = messageRow(bob, "general", "Who has the key to the darkroom?");
    await shown.waitFor();
    const originalId = (await shown.getAttribute("data-message-id"))!;
    const original = bob.locator(`li[data-message-id="${originalId}"]`);
    await original.hover();
    await original.getByRole("button", { name: "Reply" }).click();
    await bob.getByRole("status").filter({ hasText: `Replying to @${aliceName}` }).waitFor();
    await say(bob, "general", "I do, I'll bring it.");
    const reply = messageRow(alice, "general", "I'll bring it.");
    const preview = reply.getByRole("button", { name: new RegExp(`^Reply to ${aliceName}: Who has the key to the darkroom\?`) });
    await preview.waitFor();
    expect(await bob.getByRole("status").filter({ hasText: "Replying to" }).count()).toBe(0);
    await shot(alice, "laptop-reply");

    const serverId = scene.fact("serverId");
    const at = { serverId, channelId: new URL(alice.url()).pathname.split("/")[4]!, userId: (await apiOf(alice)).userId };
    for (let i = 1; i <= 60; i++) await sendMessage(world.app.stores, channelKind, at, { ...at, content: `Filler message ${i}` });
    const { api } = await apiOf(bob);
    await call(api.servers[":id"].channels[":cid"].messages.$post({ param: { id: serverId, cid: at.channelId }, json: { content: "Still need the key?", replyTo: originalId } }));

    // A fresh page holds only the newest 50: the original is not loaded until asked for.
    await alice.reload();
    const late = messageRow(alice, "general", "Still need the key?");
    await late.waitFor();
    await messageRow(alice, "general", "Filler message 60").waitFor();
    expect(await alice.locator(`li[data-message-id="${originalId}"]`).count()).toBe(0);
    await late.getByRole("button", { name: /^Reply to / }).click();
    const found = alice.locator(`li[data-message-id="${originalId}"]`);
    await found.waitFor();
    await expect.poll(() => inView(alice, found)).toBe(true);
    await expect.poll(() => found.evaluate((el) => el.classList.contains("flash"))).toBe(true);
    await shot(alice, "laptop-reply-jump");
  });

  it("reacts with the picker, both see it live, a click toggles one's own, and hovering tells who", async () => {
    const { alice, bob } = scene.people;
    await say(alice, "general", "Prints are dry!");
    const bobs = messageRow(bob, "general", "Prints are dry!");
    await bobs.waitFor();
    await bobs.hover();
    await bobs.getByRole("button", { name: "Add reaction" }).click();
    const picker = bob.getByRole("dialog", { name: "Pick an emoji" });
    await picker.getByRole("combobox").waitFor();
    await shot(bob, "laptop-emoji-picker");
    // Escape closes it, and the button that opened it has the focus again.
    await bob.keyboard.press("Escape");
    await picker.waitFor({ state: "detached" });
    expect(await bobs.getByRole("button", { name: "Add reaction" }).evaluate((b) => b === document.activeElement)).toBe(true);
    await bobs.getByRole("button", { name: "Add reaction" }).click();
    // emoji-picker-element: its search box is a combobox over a listbox of options (in its shadow root).
    await picker.getByRole("combobox").fill("thumbs up");
    await picker.getByRole("option", { name: /^👍/ }).first().click();
    await picker.waitFor({ state: "detached" });
    await shot(bob, "laptop-reaction");

    const mine = reaction(bobs, "👍");
    await expect.poll(() => mine.getAttribute("aria-pressed")).toBe("true");
    expect(await mine.textContent()).toContain("1");
    const alices = messageRow(alice, "general", "Prints are dry!");
    const hers = reaction(alices, "👍");
    await hers.waitFor();
    expect(await hers.getAttribute("aria-pressed")).toBe("false");
    expect(await hers.getAttribute("aria-label")).toBe("👍 1 reaction");

    await hers.click();
    await expect.poll(() => hers.getAttribute("aria-label")).toBe("👍 2 reactions, including yours");
    await expect.poll(() => mine.getAttribute("aria-label")).toBe("👍 2 reactions, including yours");
    await mine.hover();
    await bobs.getByRole("tooltip").filter({ hasText: `You and ${aliceName} reacted with 👍` }).waitFor();
    await shot(bob, "laptop-reaction-who");

    await hers.click();
    await expect.poll(() => mine.getAttribute("aria-label")).toBe("👍 1 reaction, including yours");
    expect(await hers.getAttribute("aria-pressed")).toBe("false");
    // A reload shows the same.
    await alice.reload();
    const again = reaction(messageRow(alice, "general", "Prints are dry!"), "👍");
    await again.waitFor();
    expect(await again.getAttribute("aria-label")).toBe("👍 1 reaction");
  });

  it("uploads with progress, can cancel, and the other side sees the image inline and the file as a link", async () => {
    const { alice, bob } = scene.people;
    const requests: string[] = [];
    alice.on("request", (r) => r.method() === "POST" && r.url().endsWith("/attachments") && requests.push(r.url()));
    // Slow uploads down, so their progress can be seen.
    const cdp = await alice.context().newCDPSession(alice);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024 });

    const picker = alice.locator('input[type="file"]');
    await picker.setInputFiles([
      { name: "contact-sheet.png", mimeType: "image/png", buffer: png(640, 480) },
      { name: "notes.txt", mimeType: "text/plain", buffer: text(600 * 1024) },
    ]);
    const queue = alice.getByRole("list", { name: "Files to send" });
    const bar = queue.getByRole("progressbar", { name: "Uploading notes.txt" });
    await bar.waitFor();
    await expect.poll(async () => Number(await bar.getAttribute("aria-valuenow"))).toBeGreaterThan(0);
    const midway = Number(await bar.getAttribute("aria-valuenow"));
    expect(midway).toBeLessThan(100);
    await shot(alice, "laptop-upload-progress");

    // A third file, cancelled on its way: it goes nowhere.
    await picker.setInputFiles([{ name: "outtakes.txt", mimeType: "text/plain", buffer: text(2 * 1024 * 1024) }]);
    await queue.getByRole("progressbar", { name: "Uploading outtakes.txt" }).waitFor();
    await queue.getByRole("button", { name: "Cancel outtakes.txt" }).click();
    await queue.getByText("outtakes.txt").waitFor({ state: "detached" });

    // Sending waits for the uploads.
    await composer(alice, "general").fill("Tonight's contact sheet and my notes");
    await composer(alice, "general").press("Enter");
    await alice.getByText("Wait for the files to finish uploading.").waitFor();
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await queue.getByRole("progressbar").first().waitFor({ state: "detached" });
    await alice.getByText("Wait for the files to finish uploading.").waitFor({ state: "detached" });
    await composer(alice, "general").press("Enter");
    await queue.waitFor({ state: "detached" });
    expect(requests).toHaveLength(3);

    const row = messageRow(bob, "general", "Tonight's contact sheet");
    await row.waitFor();
    const image = row.getByRole("img", { name: "contact-sheet.png" });
    await image.waitFor();
    // Its box is set from the stored dimensions (reserved before it loads), scaled to fit 400 × 300.
    expect(await image.evaluate((img: HTMLImageElement) => [img.getAttribute("width"), img.getAttribute("height")])).toEqual(["400", "300"]);
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(640);
    const link = row.getByRole("link", { name: /notes\.txt/ });
    expect(await link.textContent()).toContain("600 KB");
    const download = await fetch((await link.getAttribute("href"))!);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect((await download.arrayBuffer()).byteLength).toBe(600 * 1024);
    expect(await row.getByText("outtakes.txt").count()).toBe(0);
    await shot(bob, "laptop-attachments");

    // A reload shows the same.
    await bob.reload();
    await messageRow(bob, "general", "Tonight's contact sheet").getByRole("img", { name: "contact-sheet.png" }).waitFor();
  });

  it("refuses a file that is too large before sending a byte, and takes pasted and dropped files", async () => {
    const { alice, bob } = scene.people;
    const requests: string[] = [];
    bob.on("request", (r) => r.method() === "POST" && r.url().endsWith("/attachments") && requests.push(r.url()));
    // Made in the page (30 MB through the test's connection to the browser would be slow), picked as from the file dialog.
    await bob.locator('input[type="file"]').evaluate((input: HTMLInputElement) => {
      const files = new DataTransfer();
      files.items.add(new File([new Uint8Array(30 * 1024 * 1024)], "raw-scan.tif", { type: "image/tiff" }));
      input.files = files.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    const queue = bob.getByRole("list", { name: "Files to send" });
    await queue.getByRole("alert").filter({ hasText: "raw-scan.tif is 30 MB: files can be at most 25 MB." }).waitFor();
    await shot(bob, "laptop-upload-too-large");
    expect(requests).toEqual([]);
    await queue.getByRole("button", { name: "Remove raw-scan.tif" }).click();
    await queue.waitFor({ state: "detached" });

    // A screenshot pasted into the composer, and a file dropped on the conversation.
    const bytes = [...png(120, 90)];
    await composer(bob, "general").evaluate((box, data) => {
      const files = new DataTransfer();
      files.items.add(new File([new Uint8Array(data)], "screenshot.png", { type: "image/png" }));
      box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: files, bubbles: true, cancelable: true }));
    }, bytes);
    await bob.locator(".scroller").evaluate((list) => {
      const files = new DataTransfer();
      files.items.add(new File(["dropped text"], "dropped.txt", { type: "text/plain" }));
      for (const type of ["dragenter", "dragover", "drop"]) list.dispatchEvent(new DragEvent(type, { dataTransfer: files, bubbles: true, cancelable: true }));
    });
    await queue.getByText("screenshot.png").waitFor();
    await queue.getByText("dropped.txt").waitFor();
    await expect.poll(() => queue.getByRole("progressbar").count()).toBe(0);
    // Files alone make a message.
    await composer(bob, "general").press("Enter");
    const row = messageList(alice, "general").getByRole("listitem").filter({ has: alice.getByRole("img", { name: "screenshot.png" }) });
    await row.waitFor();
    await row.getByRole("link", { name: /dropped\.txt/ }).waitFor();
    expect(requests).toHaveLength(2);
  });

  it("an avatar and a server icon replace the initials wherever they are shown, for everyone", async () => {
    const { alice, bob } = scene.people;
    const loaded = (img: Locator) => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0);
    await alice.getByRole("button", { name: "Your profile" }).click();
    const profile = alice.getByRole("dialog", { name: "Your profile" });
    await profile.waitFor();
    const choose = profile.getByLabel("Choose a picture for the avatar");
    // Not an image: refused before anything is sent.
    await choose.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: text(100) });
    await profile.getByRole("alert").filter({ hasText: "notes.txt is not a PNG, JPEG, GIF or WebP image." }).waitFor();
    await choose.setInputFiles({ name: "me.png", mimeType: "image/png", buffer: png(96, 96) });
    await profile.getByRole("button", { name: "Change avatar" }).waitFor();
    await expect.poll(() => loaded(profile.locator("img.avatar-image"))).toBe(true);
    await shot(alice, "laptop-profile-avatar");
    await alice.keyboard.press("Escape");
    // Her panel and her own messages show it at once.
    await expect.poll(() => loaded(alice.getByRole("button", { name: "Your profile" }).locator("img.avatar-image"))).toBe(true);
    await expect.poll(() => loaded(messageRow(alice, "general", "Prints are dry!").locator("img.avatar-image"))).toBe(true);

    // The owner gives the server an icon.
    await alice.goto(`/servers/${scene.fact("serverId")}/settings`);
    const card = alice.getByRole("region", { name: "Server icon" });
    await card.getByLabel("Choose a picture for the icon").setInputFiles({ name: "icon.png", mimeType: "image/png", buffer: png(128, 128) });
    await card.getByRole("button", { name: "Change icon" }).waitFor();
    const rail = (page: Page) => page.getByRole("navigation", { name: "Servers" }).getByRole("link", { name: /^Darkroom/ });
    await expect.poll(() => loaded(rail(alice).locator("img.avatar-image"))).toBe(true);
    await shot(alice, "laptop-server-icon");

    // Bob, on his next visit: her face on her messages and in the member list, the icon in his rail.
    await bob.reload();
    const face = messageRow(bob, "general", "Prints are dry!").locator("img.avatar-image");
    await face.waitFor();
    await expect.poll(() => loaded(face)).toBe(true);
    const members = bob.getByRole("complementary", { name: "Members" });
    await members.getByRole("listitem").filter({ hasText: aliceName }).locator("img.avatar-image").waitFor();
    await expect.poll(() => loaded(members.getByRole("listitem").filter({ hasText: aliceName }).locator("img.avatar-image"))).toBe(true);
    expect(await members.getByRole("listitem").filter({ hasText: bobName }).locator("img").count()).toBe(0);
    await rail(bob).locator("img.avatar-image").waitFor();
    await expect.poll(() => loaded(rail(bob).locator("img.avatar-image"))).toBe(true);
    await shot(bob, "laptop-avatars");

    // Removed: the initials again.
    await alice.getByRole("button", { name: "Your profile" }).click();
    await profile.getByRole("button", { name: "Remove avatar" }).click();
    await profile.getByRole("button", { name: "Upload avatar" }).waitFor();
    expect(await profile.locator("img").count()).toBe(0);
    await alice.keyboard.press("Escape");
  });

  it("had no page errors", () => {
    expect(errors()).toEqual([]);
  });
});

describe("a direct conversation, one side on a phone", () => {
  it("a photo, a reply to it and a reaction reach the other side live", async () => {
    const [carol, dan] = await Promise.all([person(), person(phone)]);
    const [carolName, danName] = [uniqueName("carol"), uniqueName("dan")];
    await Promise.all([register(carol, carolName), register(dan, danName)]);
    const { api } = await apiOf(carol);
    const dm = await call(api.dms.$post({ json: { userId: (await apiOf(dan)).userId } }));
    await Promise.all([carol.goto(`/dms/${dm.id}`), dan.goto(`/dms/${dm.id}`)]);
    const box = (page: Page, other: string) => page.getByRole("textbox", { name: `Message @${other}` });
    const list = (page: Page, other: string) => page.getByRole("list", { name: `Messages with ${other}` });
    await Promise.all([box(carol, danName).waitFor(), box(dan, carolName).waitFor()]);

    await carol.locator('input[type="file"]').setInputFiles({ name: "harbour.png", mimeType: "image/png", buffer: png(1200, 800) });
    await expect.poll(() => carol.getByRole("list", { name: "Files to send" }).getByRole("progressbar").count()).toBe(0);
    await box(carol, danName).fill("The **harbour** at dawn");
    await box(carol, danName).press("Enter");

    const photo = list(dan, carolName).getByRole("listitem").filter({ hasText: "harbour at dawn" });
    const image = photo.getByRole("img", { name: "harbour.png" });
    await image.waitFor();
    expect(await photo.locator("strong").textContent()).toBe("harbour");
    // On a narrow screen the reserved box shrinks with the column, keeping the photo's shape.
    const size = await image.evaluate((img) => [img.getBoundingClientRect().width, img.getBoundingClientRect().height]);
    expect(size[0]).toBeLessThanOrEqual(400);
    expect(Math.abs(size[0]! / size[1]! - 1.5)).toBeLessThan(0.02);

    // Dan taps the message for its tools, reacts, and replies.
    await photo.click({ position: { x: 40, y: 10 } });
    await photo.getByRole("button", { name: "Add reaction" }).click();
    const picker = dan.getByRole("dialog", { name: "Pick an emoji" });
    await picker.getByRole("combobox").fill("heart eyes");
    await picker.getByRole("option", { name: /^😍/ }).first().click();
    await reaction(photo, "😍").waitFor();
    await photo.click({ position: { x: 40, y: 10 } });
    await photo.getByRole("button", { name: "Reply" }).click();
    await box(dan, carolName).fill("Stunning!");
    await box(dan, carolName).press("Enter");
    await shot(dan, "phone-dm-media");

    const hers = list(carol, danName).getByRole("listitem").filter({ hasText: "harbour at dawn" });
    await expect.poll(() => reaction(hers, "😍").getAttribute("aria-label")).toBe("😍 1 reaction");
    const reply = list(carol, danName).getByRole("listitem").filter({ hasText: "Stunning!" });
    await reply.getByRole("button", { name: new RegExp(`^Reply to ${carolName}: The \\*\\*harbour\\*\\* at dawn`) }).waitFor();
    expect(await reply.locator(".excerpt strong").textContent()).toBe("harbour");
    await shot(carol, "laptop-dm-media");
    expect(errors()).toEqual([]);
  });
});
