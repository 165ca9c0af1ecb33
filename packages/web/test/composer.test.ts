/**
 * The composer keeps what one typed and helps type it (issue 22 items 3 and 7), in Chromium, on a
 * laptop and on a phone: a draft per conversation survives switching channels and a reload (and
 * goes once sent); `@` suggests the server's members (and `@everyone` to its owner) and a DM's
 * two people, `#` the channels, picked with the arrows and Tab/Enter or by a click; a channel
 * link opens the channel in the app, one the reader cannot see is plain text; Escape cancels a
 * reply and an edit; typing with nothing focused types into the composer (not while a dialog is
 * open); a message that failed to send says so on its own row, with Retry (which sends it) and
 * Discard; a dialog opens with its first field focused.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { call } from "../src/lib/api.ts";
import { apiOf, apiUser, openNavigation, phone, register, settled, shot, stage, story, uniqueName } from "./browser.ts";
import { composer, messageList, messageRow, say } from "./chatPage.ts";

const world = stage();
const { person, errors } = world;
/** The laptop of issue 22's trial. */
const laptop = { width: 1280, height: 800 };

for (const [device, viewport] of [
  ["laptop", laptop],
  ["phone", phone],
] as const) {
  describe(`the composer, on a ${device}`, () => {
    const ownerName = uniqueName("olga");
    const memberName = uniqueName("bruno");
    const strangerName = uniqueName("sid");
    const scene = story<
      { owner: Page },
      { serverId: string; generalId: string; designId: string; hiddenId: string; member: Awaited<ReturnType<typeof apiUser>> }
    >(async () => ({ owner: await person(viewport) }));

    const channelPath = (id: string) => `/servers/${scene.fact("serverId")}/channels/${id}`;
    /** On a phone, slides the drawer in unless it is already open (a dialog opened from it leaves it so). */
    async function showNavigation(page: Page) {
      if (device === "phone" && (await page.getByRole("button", { name: "Open navigation" }).getAttribute("aria-expanded")) !== "true") {
        await openNavigation(page);
      }
    }
    /** Opens a channel from the sidebar, as a person would (the drawer first, on a phone). */
    async function openChannel(page: Page, name: string) {
      await showNavigation(page);
      await page.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: new RegExp(`^${name}`) }).click();
      await composer(page, name).waitFor();
      await settled(page);
    }
    const suggestions = (page: Page, title: "Members" | "Channels") => page.getByRole("listbox", { name: title });
    const text = (page: Page, channel: string) => composer(page, channel).inputValue();
    const focusedLabel = (page: Page) =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        return el?.labels?.[0]?.textContent?.trim() ?? el?.getAttribute("aria-label") ?? el?.tagName ?? null;
      });

    it("sets the scene: a server with #general and #design, a member, and a channel elsewhere", async () => {
      const { owner } = scene.people;
      await register(owner, ownerName);
      const { api } = await apiOf(owner);
      const server = await call(api.servers.$post({ json: { name: uniqueName("Studio ") } }));
      scene.learn("serverId", server.id);
      const detail = await call(api.servers[":id"].$get({ param: { id: server.id } }));
      scene.learn("generalId", detail.channels[0]!.id);
      const design = await call(api.servers[":id"].channels.$post({ param: { id: server.id }, json: { name: "design" } }));
      scene.learn("designId", design.id);
      const member = scene.learn("member", await apiUser(world.app.url, memberName));
      const { code } = await call(api.servers[":id"].invites.$post({ param: { id: server.id }, json: {} }));
      await call(member.api.invites[":code"].join.$post({ param: { code } }));
      // A server the owner is not in: its channel is one they cannot see.
      const stranger = await apiUser(world.app.url, strangerName);
      const elsewhere = await call(stranger.api.servers.$post({ json: { name: uniqueName("Elsewhere ") } }));
      const hidden = await call(stranger.api.servers[":id"].channels.$post({ param: { id: elsewhere.id }, json: { name: "secret-plans" } }));
      scene.learn("hiddenId", hidden.id);
      await owner.goto(channelPath(scene.fact("generalId")));
      await composer(owner, "general").waitFor();
      // Three sign-ups (each hashes a password) on a shared machine: more than the default 30 s at times.
    }, 90_000);

    it("keeps a draft per channel across switching channels and a reload, and forgets it once sent", async () => {
      const { owner } = scene.people;
      await composer(owner, "general").fill("Half a thought about the launch");
      await openChannel(owner, "design");
      expect(await text(owner, "design")).toBe("");
      await composer(owner, "design").fill("Colours for the new logo:\nindigo, maybe");
      await openChannel(owner, "general");
      expect(await text(owner, "general")).toBe("Half a thought about the launch");
      await shot(owner, `${device}-composer-draft-kept`);

      await owner.reload();
      await composer(owner, "general").waitFor();
      expect(await text(owner, "general")).toBe("Half a thought about the launch");
      await openChannel(owner, "design");
      expect(await text(owner, "design")).toBe("Colours for the new logo:\nindigo, maybe");

      await composer(owner, "design").press("Enter");
      await messageRow(owner, "design", "indigo, maybe").waitFor();
      expect(await text(owner, "design")).toBe("");
      await owner.reload();
      await composer(owner, "design").waitFor();
      expect(await text(owner, "design")).toBe("");
      await openChannel(owner, "general");
      expect(await text(owner, "general")).toBe("Half a thought about the launch");
      await composer(owner, "general").fill("");
    });

    it("suggests members with @ and channels with #, picked with the keyboard", async () => {
      const { owner } = scene.people;
      const box = composer(owner, "general");
      await box.click();
      await box.pressSequentially("Thanks @");
      const members = suggestions(owner, "Members");
      await members.waitFor();
      // Everyone in the server (the member list loads for it), with their pictures, and
      // `@everyone` for the owner.
      await members.getByRole("option", { name: memberName }).waitFor();
      expect(await members.getByRole("option", { name: ownerName }).count()).toBe(1);
      expect(await members.getByRole("option", { name: /everyone/ }).count()).toBe(1);
      expect(await members.locator(".avatar, img").count()).toBeGreaterThanOrEqual(2);
      await box.pressSequentially(memberName.slice(0, 4));
      await settled(owner);
      await shot(owner, `${device}-composer-mention-suggestions`);
      const options = await members.getByRole("option").allTextContents();
      expect(options[0]).toContain(memberName);
      // The first is chosen; the arrows move the choice round the list and back.
      expect(await members.getByRole("option", { selected: true }).textContent()).toContain(memberName);
      await box.press("ArrowDown");
      await box.press("ArrowUp");
      expect(await members.getByRole("option", { selected: true }).textContent()).toContain(memberName);
      await box.press("Tab");
      expect(await text(owner, "general")).toBe(`Thanks @${memberName} `);
      expect(await members.count()).toBe(0);
      expect(await focusedLabel(owner)).toBe("Message #general");

      await box.pressSequentially("see #des");
      const channels = suggestions(owner, "Channels");
      await channels.getByRole("option", { name: "design" }).waitFor();
      await settled(owner);
      await shot(owner, `${device}-composer-channel-suggestions`);
      await box.press("Enter");
      expect(await text(owner, "general")).toBe(`Thanks @${memberName} see <#${scene.fact("designId")}> `);
      // Escape closes a list without losing the text; Enter then sends.
      await box.pressSequentially("@");
      await suggestions(owner, "Members").waitFor();
      await box.press("Escape");
      expect(await suggestions(owner, "Members").count()).toBe(0);
      await box.press("Backspace");
      await box.press("Enter");
      const sent = messageRow(owner, "general", "Thanks");
      await sent.getByRole("link", { name: "#design" }).waitFor();
      expect(await sent.locator(".mention", { hasText: `@${memberName}` }).count()).toBe(1);
    });

    it("picks a suggestion with a click, and a channel link opens the channel in the app", async () => {
      const { owner } = scene.people;
      const box = composer(owner, "general");
      await box.click();
      await box.pressSequentially("Over to #");
      await suggestions(owner, "Channels").getByRole("option", { name: "design" }).click();
      await box.pressSequentially("and @");
      await suggestions(owner, "Members").getByRole("option", { name: memberName }).click();
      expect(await text(owner, "general")).toBe(`Over to <#${scene.fact("designId")}> and @${memberName} `);
      expect(await focusedLabel(owner)).toBe("Message #general");
      await box.press("Enter");

      // Someone links a channel the owner cannot see: plain text, no link, no name.
      const { api } = scene.fact("member");
      await call(
        api.servers[":id"].channels[":cid"].messages.$post({
          param: { id: scene.fact("serverId"), cid: scene.fact("generalId") },
          json: { content: `Psst, <#${scene.fact("hiddenId")}> is where it happens` },
        }),
      );
      const psst = messageRow(owner, "general", "Psst");
      await psst.waitFor();
      expect(await psst.getByRole("link").count()).toBe(0);
      expect(await psst.textContent()).toContain("#unknown-channel is where it happens");
      expect(await psst.textContent()).not.toContain("secret-plans");
      await settled(owner);
      await shot(owner, `${device}-composer-channel-links`);

      // The link navigates in the app: no page load (a marker on window survives).
      await owner.evaluate(() => ((window as unknown as { __stay: boolean }).__stay = true));
      await messageRow(owner, "general", "Over to").getByRole("link", { name: "#design" }).click();
      await owner.waitForURL((url) => url.pathname === channelPath(scene.fact("designId")));
      await composer(owner, "design").waitFor();
      expect(await owner.evaluate(() => (window as unknown as { __stay?: boolean }).__stay)).toBe(true);
    });

    it("Escape cancels a reply and an edit", async () => {
      const { owner } = scene.people;
      await say(owner, "design", "Draft one of the poster");
      const sent = messageRow(owner, "design", "Draft one of the poster");
      await sent.hover();
      await sent.getByRole("button", { name: "Reply" }).click();
      // By its id from here: while it is edited, its text is in a textbox, not in the row's text.
      const row = owner.locator(`[data-message-id="${await sent.getAttribute("data-message-id")}"]`);
      const replying = owner.getByRole("status").filter({ hasText: "Replying to" });
      await replying.waitFor();
      await composer(owner, "design").press("Escape");
      await replying.waitFor({ state: "detached" });

      await row.hover();
      await row.getByRole("button", { name: "Edit message" }).click();
      const editor = row.getByRole("textbox", { name: "Edit message" });
      await editor.waitFor();
      await editor.fill("Draft two, never saved");
      await editor.press("Escape");
      await editor.waitFor({ state: "detached" });
      expect(await row.textContent()).toContain("Draft one of the poster");
      expect(await row.textContent()).not.toContain("Draft two");
    });

    it("types into the composer when nothing is focused, but not with Ctrl or while a dialog is open", async () => {
      const { owner } = scene.people;
      await owner.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      expect(await owner.evaluate(() => document.activeElement === document.body)).toBe(true);
      await owner.keyboard.type("Hi");
      expect(await text(owner, "design")).toBe("Hi");
      expect(await focusedLabel(owner)).toBe("Message #design");

      await owner.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await owner.keyboard.press("Control+b");
      await owner.keyboard.press("Shift");
      expect(await text(owner, "design")).toBe("Hi");
      expect(await owner.evaluate(() => document.activeElement === document.body)).toBe(true);

      // The header's button (the sidebar's, in the closed drawer on a phone, takes no clicks).
      await owner.getByRole("button", { name: "Invite people" }).and(owner.locator("[aria-label]")).click();
      const invite = owner.getByRole("dialog", { name: /^Invite people/ });
      await invite.waitFor();
      await owner.keyboard.type("zz");
      await owner.keyboard.press("Escape");
      await invite.waitFor({ state: "hidden" });
      expect(await text(owner, "design")).toBe("Hi");
      await composer(owner, "design").fill("");
    });

    it("says on the message itself that it was not sent, with Retry (which sends it) and Discard", async () => {
      const { owner } = scene.people;
      const posts = (url: URL) => url.pathname.endsWith("/messages");
      await owner.route(posts, (route) =>
        route.request().method() === "POST"
          ? route.fulfill({ status: 503, json: { error: { code: "unavailable", message: "The service is busy. Try again." } } })
          : route.continue(),
      );
      await say(owner, "design", "This one will fail at first");
      await say(owner, "design", "And this one is thrown away");
      const first = messageRow(owner, "design", "This one will fail at first");
      const second = messageRow(owner, "design", "And this one is thrown away");
      await first.getByText(/^Not sent/).waitFor();
      await second.getByText(/^Not sent/).waitFor();
      await settled(owner);
      await shot(owner, `${device}-composer-send-failed`);
      // The notice and its buttons are in the message's row, and nowhere else.
      expect(await owner.getByRole("button", { name: "Retry" }).count()).toBe(2);
      expect(await first.getByRole("button", { name: "Retry" }).count()).toBe(1);
      expect(await first.getByRole("button", { name: "Discard" }).count()).toBe(1);

      await second.getByRole("button", { name: "Discard" }).click();
      await second.waitFor({ state: "detached" });
      await owner.unroute(posts);
      await first.getByRole("button", { name: "Retry" }).click();
      await first.getByText(/^Not sent/).waitFor({ state: "detached" });
      // Stored: the row now carries the message's id (a pending one has a local id).
      await owner.waitForFunction(
        (text) => [...document.querySelectorAll("[data-message-id]")].some((r) => r.textContent?.includes(text) && !r.getAttribute("data-message-id")!.startsWith("local-")),
        "This one will fail at first",
      );
      const { api } = scene.fact("member");
      const stored = await call(
        api.servers[":id"].channels[":cid"].messages.$get({ param: { id: scene.fact("serverId"), cid: scene.fact("designId") }, query: {} }),
      );
      expect(stored.filter((m) => m.content === "This one will fail at first")).toHaveLength(1);
      expect(stored.some((m) => m.content === "And this one is thrown away")).toBe(false);
      expect(await messageList(owner, "design").getByText("This one will fail at first").count()).toBe(1);
    });

    it("opens every dialog with its first field focused", async () => {
      const { owner } = scene.people;
      await showNavigation(owner);
      await owner.getByRole("button", { name: "Create a channel" }).click();
      const create = owner.getByRole("dialog", { name: "Create a channel" });
      await create.waitFor();
      await settled(owner);
      await shot(owner, `${device}-dialog-first-field`);
      expect(await focusedLabel(owner)).toBe("Channel name");
      await owner.keyboard.press("Escape");
      await create.waitFor({ state: "hidden" });

      await showNavigation(owner);
      await owner.getByRole("button", { name: "Create a server" }).click();
      const server = owner.getByRole("dialog", { name: /server/i });
      await server.waitFor();
      expect(await owner.evaluate(() => document.activeElement?.tagName)).toBe("INPUT");
      expect(await server.evaluate((d) => d.contains(document.activeElement))).toBe(true);
      await owner.keyboard.press("Escape");
      await server.waitFor({ state: "hidden" });

      await showNavigation(owner);
      await owner.getByRole("button", { name: "Notification settings" }).click();
      const notifications = owner.getByRole("dialog", { name: /^Notifications for/ });
      await notifications.waitFor();
      // A group of choices: the chosen one has the focus.
      expect(await owner.evaluate(() => (document.activeElement as HTMLInputElement | null)?.checked)).toBe(true);
      await owner.keyboard.press("Escape");
      await notifications.waitFor({ state: "hidden" });
    });

    it("in a DM, @ suggests the two people", async () => {
      const { owner } = scene.people;
      const { api } = await apiOf(owner);
      const dm = await call(api.dms.$post({ json: { userId: scene.fact("member").user.id } }));
      await owner.goto(`/dms/${dm.id}`);
      const box = owner.getByRole("textbox", { name: `Message @${memberName}` });
      await box.waitFor();
      await box.click();
      await box.pressSequentially("@");
      const people = suggestions(owner, "Members");
      await people.waitFor();
      const names = await people.getByRole("option").allTextContents();
      expect(names).toHaveLength(2);
      expect(names.join(" ")).toContain(ownerName);
      expect(names.join(" ")).toContain(memberName);
      await settled(owner);
      await shot(owner, `${device}-composer-dm-suggestions`);
      await box.press("Enter");
      expect(await box.inputValue()).toMatch(/^@\S+ $/);
      expect(errors()).toEqual([]);
    });
  });
}
