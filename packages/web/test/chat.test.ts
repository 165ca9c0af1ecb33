/**
 * Two people in two browsers: one creates a server and an invite link, the other opens the link
 * signed out, signs up and joins, and they chat live. Then history, a dropped connection and
 * signing out, as a person meets them.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { channel as channelKind, deleteMessage, editMessage, sendMessage } from "@agorusta/core/conversations";
import { call } from "../src/lib/api.ts";
import { apiOf, fillRegistration, laptop, openNavigation, PASSWORD, phone, register, resize, shot, stage, story, uniqueName } from "./browser.ts";
import { composer, messageList, say, scroller } from "./chatPage.ts";

// One test posts 120 messages in a row, far past the message rate limit (20 per 10 s).
const world = stage({ usageLimits: "off" });
const { person, errors } = world;

describe("two people meet through an invite link and chat live", () => {
  const aliceName = uniqueName("alice");
  const bobName = uniqueName("bob");
  const serverName = `Hiking club ${uniqueName("")}`;
  const scene = story<{ alice: Page; bob: Page }, { inviteUrl: string; serverId: string }>(async () => {
    const [alice, bob] = await Promise.all([person(), person()]);
    return { alice, bob };
  });

  it("Alice signs up, creates a server and lands in its #general", async () => {
    const { alice } = scene.people;
    await register(alice, aliceName);
    await alice.getByRole("button", { name: "Create a server" }).first().click();
    await alice.getByLabel("Server name").fill(serverName);
    await alice.getByRole("button", { name: "Create server" }).click();
    await alice.waitForURL(/\/servers\/\w+\/channels\/\w+$/);
    scene.learn("serverId", new URL(alice.url()).pathname.split("/")[2]!);
    await alice.getByRole("heading", { name: "general", exact: true }).waitFor();
    await alice.getByRole("heading", { name: "Welcome to #general" }).waitFor();
    await alice.getByRole("link", { name: serverName }).waitFor();
  });

  it("Alice creates an invite link and copies it", async () => {
    const { alice } = scene.people;
    await alice.getByRole("button", { name: "Invite people" }).first().click();
    const dialog = alice.getByRole("dialog", { name: `Invite people to ${serverName}` });
    await dialog.getByLabel("Max uses").selectOption({ label: "10 uses" });
    await dialog.getByRole("button", { name: "Create invite link" }).click();
    const link = dialog.getByLabel("Invite link");
    await link.waitFor();
    const inviteUrl = scene.learn("inviteUrl", await link.inputValue());
    expect(inviteUrl).toMatch(new RegExp(`^${world.app.url}/invite/[A-Za-z0-9]{8,}$`));
    await dialog.getByText("Expires in 7 days · 10 uses").waitFor();
    await dialog.getByRole("button", { name: "Copy" }).click();
    await dialog.getByRole("button", { name: "Copied" }).waitFor();
    expect(await alice.evaluate(() => navigator.clipboard.readText())).toBe(inviteUrl);
    await shot(alice, "laptop-invite-dialog");
    await alice.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
  });

  it("Bob opens the link signed out, is asked to sign in first, signs up and joins", async () => {
    const { bob } = scene.people;
    const serverId = scene.fact("serverId");
    const inviteUrl = scene.fact("inviteUrl");
    await bob.goto(inviteUrl);
    await bob.getByRole("heading", { name: "You've been invited" }).waitFor();
    await shot(bob, "laptop-invite-signed-out");
    await bob.getByRole("link", { name: "Create an account" }).click();
    await bob.waitForURL(/\/register\?next=%2Finvite%2F/);
    await fillRegistration(bob, bobName);
    await bob.waitForURL(/\/invite\/\w+$/);
    await bob.getByText(serverName, { exact: true }).waitFor();
    await shot(bob, "laptop-invite-join");
    await bob.getByRole("button", { name: `Join ${serverName}` }).click();
    await bob.waitForURL(new RegExp(`/servers/${serverId}/channels/\\w+$`));
    await bob.getByRole("heading", { name: "Welcome to #general" }).waitFor();
  });

  it("each sees the other's messages appear live, with authors, and grouped", async () => {
    const { alice, bob } = scene.people;
    await say(alice, "general", "Hi Bob, welcome to the club!");
    await messageList(bob, "general").getByText("Hi Bob, welcome to the club!").waitFor();
    await messageList(bob, "general").getByText(aliceName, { exact: true }).waitFor();

    await say(bob, "general", "Thanks Alice! Where do we hike on Saturday?");
    await messageList(alice, "general").getByText("Thanks Alice! Where do we hike on Saturday?").waitFor();

    await say(alice, "general", "Up the ridge trail, 9:00 at the car park.");
    await say(alice, "general", "Bring water and a jacket.");
    const list = messageList(bob, "general");
    await list.getByText("Bring water and a jacket.").waitFor();
    // Consecutive messages of one author share one header: the last has none, the one before it
    // follows the header that starts Alice's run.
    const rows = list.locator("li.message");
    await expect.poll(() => rows.count()).toBe(4);
    const headers = await rows.evaluateAll((els) => els.map((el) => el.classList.contains("header")));
    expect(headers).toEqual([true, true, true, false]);
    await list.locator("time").first().waitFor();
    await shot(bob, "laptop-chat");
    await shot(alice, "laptop-chat-sender");
  });

  it("shows markup in a message as the characters typed", async () => {
    const { alice, bob } = scene.people;
    const markup = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold?</b>`;
    await say(bob, "general", markup);
    await messageList(alice, "general").getByText(markup, { exact: true }).waitFor();
    expect(await alice.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await messageList(alice, "general").locator("b, img, script").count()).toBe(0);
  });

  it("keeps a message that could not be sent, says why, and sends it on retry", async () => {
    const { alice, bob } = scene.people;
    const messagesUrl = (url: URL) => url.pathname.endsWith("/messages");
    await alice.route(messagesUrl, (route) =>
      route.request().method() === "POST" ? route.abort("internetdisconnected") : route.continue(),
    );
    await say(alice, "general", "Is this thing on?");
    const failed = messageList(alice, "general").getByRole("listitem").filter({ hasText: "Is this thing on?" });
    await failed.getByText("Not sent: Cannot reach Agorusta. Check your connection and try again.").waitFor();
    await shot(alice, "laptop-message-failed");
    expect(await messageList(bob, "general").getByText("Is this thing on?").count()).toBe(0);
    await alice.unroute(messagesUrl);
    await failed.getByRole("button", { name: "Retry" }).click();
    await messageList(bob, "general").getByText("Is this thing on?").waitFor();
    await alice.getByText(/^Not sent/).waitFor({ state: "detached" });
    expect(await messageList(alice, "general").getByText("Is this thing on?").count()).toBe(1);
  });

  it("says when messages cannot be loaded, and loads them when asked to try again", async () => {
    const { bob } = scene.people;
    // The first page comes with the feed's head (`changes?newest=`), older pages from `messages`.
    const history = (url: URL) => url.pathname.endsWith("/messages") || url.pathname.endsWith("/changes");
    await bob.route(history, (route) =>
      route.request().method() === "GET"
        ? route.fulfill({ status: 500, json: { error: { code: "internal", message: "Something went wrong on our side." } } })
        : route.continue(),
    );
    await bob.reload();
    await bob.getByRole("alert").getByText("Something went wrong on our side.").waitFor();
    // Once the socket is up, subscribing catches up by fetching the history again (and failing
    // again): let that settle first, so it is the button that loads the messages, not a catch-up.
    await bob.getByText("Online", { exact: true }).waitFor();
    await bob.waitForLoadState("networkidle");
    await shot(bob, "laptop-messages-error");
    await bob.unroute(history);
    await bob.getByRole("button", { name: "Try again" }).click();
    await messageList(bob, "general").getByText("Is this thing on?").waitFor();
  });

  it("keeps the session and the conversation across a reload", async () => {
    const { bob } = scene.people;
    const serverId = scene.fact("serverId");
    await bob.reload();
    await messageList(bob, "general").getByText("Bring water and a jacket.").waitFor();
    await bob.getByText("Online", { exact: true }).waitFor();
    expect(new URL(bob.url()).pathname).toMatch(new RegExp(`^/servers/${serverId}/channels/`));
  });

  it("fits a phone: the conversation fills the screen and the navigation slides in", async () => {
    const { bob } = scene.people;
    await resize(bob, phone);
    await composer(bob, "general").waitFor();
    await shot(bob, "phone-chat");
    await openNavigation(bob);
    await bob.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: "general" }).waitFor();
    await shot(bob, "phone-navigation");
    await bob.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: "general" }).click();
    await expect.poll(() => bob.getByRole("button", { name: "Open navigation" }).getAttribute("aria-expanded")).toBe("false");
    await resize(bob, laptop);
  });

  describe("history", () => {
    const total = 120;
    const history = story<Record<never, Page>, { channelId: string; aliceApi: Awaited<ReturnType<typeof apiOf>>["api"] }>();

    it("loads older messages as one scrolls up, without moving what one is reading", async () => {
      const { alice, bob } = scene.people;
      const serverId = scene.fact("serverId");
      const aliceApi = history.learn("aliceApi", (await apiOf(alice)).api);
      const channel = await call(aliceApi.servers[":id"].channels.$post({ param: { id: serverId }, json: { name: "trip-reports" } }));
      const channelId = history.learn("channelId", channel.id);
      for (let i = 1; i <= total; i++) {
        const content = `Report ${String(i).padStart(3, "0")}`;
        await call(aliceApi.servers[":id"].channels[":cid"].messages.$post({ param: { id: serverId, cid: channelId }, json: { content } }));
      }

      await bob.goto(`/servers/${serverId}/channels/${channelId}`);
      const list = messageList(bob, "trip-reports");
      await list.getByText(`Report ${total}`).waitFor();
      // Opens at the newest message, scrolled to the end.
      expect(await scroller(bob).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(2);
      expect(await list.getByText("Report 001").count()).toBe(0);

      const firstBefore = await list.locator("li.message").first().getAttribute("data-message-id");
      await scroller(bob).evaluate((el) => el.scrollTo({ top: 0 }));
      await expect.poll(() => list.locator("li.message").first().getAttribute("data-message-id")).not.toBe(firstBefore);
      // The message that was at the top is still on screen: older ones went above it, out of view.
      const still = await bob.evaluate((id) => {
        const row = document.querySelector(`[data-message-id="${id}"]`)!.getBoundingClientRect();
        const view = document.querySelector(".scroller")!.getBoundingClientRect();
        return row.top >= view.top - 40 && row.top <= view.bottom;
      }, firstBefore);
      expect(still).toBe(true);

      // Down to the very first message, and the channel's intro above it.
      // Each scroll to the top loads one older page; scrolled again until the first is in.
      await expect
        .poll(async () => {
          await scroller(bob).evaluate((el) => el.scrollTo({ top: 0 }));
          return list.getByText("Report 001").count();
        }, { timeout: 30_000 })
        .toBe(1);
      await bob.getByRole("heading", { name: "Welcome to #trip-reports" }).waitFor();
      expect(await list.locator("li.message").count()).toBe(total);
      await scroller(bob).evaluate((el) => el.scrollTo({ top: 0 }));
      // The intro sits above the first message, not over it.
      const introBottom = await bob.getByRole("heading", { name: "Welcome to #trip-reports" }).evaluate((h) => h.getBoundingClientRect().bottom);
      const firstTop = await list.locator("li.message").first().evaluate((li) => li.getBoundingClientRect().top);
      expect(introBottom).toBeLessThanOrEqual(firstTop);
      await shot(bob, "laptop-history-top");
    }, 90_000);

    it("does not yank a reader of history down when a message arrives, and offers to jump", async () => {
      const { bob } = scene.people;
      const serverId = scene.fact("serverId");
      const aliceApi = history.fact("aliceApi");
      const channelId = history.fact("channelId");
      // The page was opened by a navigation (a new socket): it must be live before a message can reach it.
      await bob.getByText("Online", { exact: true }).waitFor();
      const before = await scroller(bob).evaluate((el) => el.scrollTop);
      await call(aliceApi.servers[":id"].channels[":cid"].messages.$post({ param: { id: serverId, cid: channelId }, json: { content: "Fresh report" } }));
      const jump = bob.getByRole("button", { name: "1 new message" });
      await jump.waitFor();
      expect(Math.abs((await scroller(bob).evaluate((el) => el.scrollTop)) - before)).toBeLessThan(2);
      await shot(bob, "laptop-history-new-message");
      await jump.click();
      await expect.poll(() => scroller(bob).evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(2);
      await messageList(bob, "trip-reports").getByText("Fresh report").waitFor();
    });
  });

  it("shows that the connection dropped, reconnects by itself, catches up (new, edited, deleted) and stays live", async () => {
    const { alice, bob } = scene.people;
    const serverId = scene.fact("serverId");
    await bob.goto(`/servers/${serverId}`);
    const list = messageList(bob, "general");
    // Everything on screen first: the history, and the page's code, which the browser fetches as it goes.
    await list.getByText("Bring water and a jacket.").waitFor();
    await bob.waitForLoadState("networkidle");
    const banner = bob.getByText("Connection lost. Reconnecting…");
    await world.app.stop();
    await banner.waitFor();
    await bob.getByText("Reconnecting…", { exact: true }).waitFor();
    await shot(bob, "laptop-reconnecting");

    // What happened while Bob's socket was down (stored straight in the table, the API being down
    // too) reaches him by the catch-up that follows resubscribing: an edit, a deletion, two messages.
    const idOf = async (text: string) => (await list.getByRole("listitem").filter({ hasText: text }).getAttribute("data-message-id"))!;
    const { stores } = world.app;
    const at = { serverId, channelId: new URL(bob.url()).pathname.split("/")[4]!, userId: (await apiOf(alice)).userId };
    await editMessage(stores, channelKind, at, { ...at, messageId: await idOf("Bring water and a jacket."), content: "Bring water, a jacket and a hat." });
    await deleteMessage(stores, channelKind, at, { ...at, messageId: await idOf("Up the ridge trail, 9:00 at the car park.") });
    await sendMessage(stores, channelKind, at, { ...at, content: "Said while you were away" });
    await sendMessage(stores, channelKind, at, { ...at, content: "And once more" });

    await world.app.start();
    await bob.getByText("Online", { exact: true }).waitFor({ timeout: 20_000 });
    await banner.waitFor({ state: "hidden" });
    await list.getByText("And once more").waitFor();
    const texts = await list.locator("li.message .content").allTextContents();
    expect(texts.slice(-2)).toEqual(["Said while you were away", "And once more"]);
    expect(texts).toContain("Bring water, a jacket and a hat. (edited)");
    expect(texts.filter((t) => t.startsWith("Up the ridge trail"))).toEqual([]);

    // Resubscribed: a new message arrives live again, once.
    await alice.goto(`/servers/${serverId}`);
    await say(alice, "general", "Back online?");
    await messageList(bob, "general").getByText("Back online?").waitFor();
    // A later message is the marker: once it is in, a second copy of the first would be too.
    await say(alice, "general", "Marker after Back online");
    await messageList(bob, "general").getByText("Marker after Back online").waitFor();
    expect(await messageList(bob, "general").getByText("Back online?").count()).toBe(1);
    expect(await list.getByText("Said while you were away").count()).toBe(1);
  }, 60_000);

  it("signs out, ending the session on the server too, and a signed-out visit goes to the sign-in page", async () => {
    const { bob } = scene.people;
    const serverId = scene.fact("serverId");
    const token = await bob.evaluate(() => localStorage.getItem("agorusta.token"));
    await bob.getByRole("button", { name: "Sign out" }).click();
    await bob.waitForURL(/\/login$/);
    // The token stops working on the server, not only in this browser.
    const me = () => fetch(`${world.app.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    await expect.poll(me).toBe(401);
    await bob.goto(`/servers/${serverId}`);
    await bob.waitForURL(new RegExp(`/login\\?next=%2Fservers%2F${serverId}$`));
    await bob.getByRole("heading", { name: "Welcome back" }).waitFor();
    expect(await bob.evaluate(() => localStorage.getItem("agorusta.token"))).toBeNull();
  });

  it("signs in again: a wrong password is refused, the right one leads back to the page asked for", async () => {
    const { bob } = scene.people;
    const serverId = scene.fact("serverId");
    await bob.getByLabel("Email").fill(`${bobName}@EXAMPLE.com`);
    await bob.getByLabel("Password").fill("not my password");
    await bob.getByRole("button", { name: "Sign in" }).click();
    await bob.getByRole("alert").getByText("Wrong email or password.").waitFor();
    await shot(bob, "laptop-login-wrong-password");
    await bob.getByLabel("Password").fill(PASSWORD);
    await bob.getByRole("button", { name: "Sign in" }).click();
    await bob.waitForURL(new RegExp(`/servers/${serverId}/channels/\\w+$`));
    await messageList(bob, "general").getByText("Back online?").waitFor();
  });

  it("raised no error in either page", () => {
    expect(errors()).toEqual([]);
  });
});
