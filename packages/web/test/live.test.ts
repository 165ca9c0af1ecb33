/**
 * What people in one server see of each other as it happens, in two (and more) browsers: edits
 * and deletions, typing, the member list with who is online, new channels, a kick, leaving, a
 * deleted server, a long member list, and a direct conversation that catches up after a drop.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { joinByInvite } from "@agorusta/core/servers";
import { dm as dmKind, sendMessage } from "@agorusta/core/conversations";
import { foldCase } from "@agorusta/core/store";
import { newId } from "@agorusta/core/store";
import { call } from "../src/lib/api.ts";
import { TYPING_SHOWN_MS } from "../src/lib/typing.ts";
import { apiOf, laptop, phone, register, resize, settled, shot, stage, story, uniqueName } from "./browser.ts";
import { composer, messageList, messageRow, rail, say } from "./chatPage.ts";

const world = stage();
const { person, errors } = world;

/** A message's row by its id, which still finds it while its text is in the editor. */
async function pinned(page: Page, row: ReturnType<typeof messageRow>) {
  return page.locator(`li[data-message-id="${await row.getAttribute("data-message-id")}"]`);
}
const memberPanel = (page: Page) => page.getByRole("complementary", { name: "Members" });
const memberRow = (page: Page, username: string) => memberPanel(page).getByRole("listitem").filter({ hasText: username });

/** Someone signs up in a browser of their own and joins the server by its invite (through the API, as a second tab would). */
async function newMember(inviteCode: string, serverId: string, viewport = laptop) {
  const page = await person(viewport);
  const name = uniqueName("m");
  await register(page, name);
  const { api } = await apiOf(page);
  await call(api.invites[":code"].join.$post({ param: { code: inviteCode } }));
  await page.goto(`/servers/${serverId}`);
  return { page, name };
}

describe("one server, several people, everything live", () => {
  const aliceName = uniqueName("alice");
  const serverName = `Trail crew ${uniqueName("")}`;
  const scene = story<{ alice: Page }, { bob: Page; bobName: string; serverId: string; inviteCode: string }>(async () => ({ alice: await person() }));

  it("the owner sees a newcomer appear in the member list, online, under the owner", async () => {
    const { alice } = scene.people;
    await register(alice, aliceName);
    const { api } = await apiOf(alice);
    const server = await call(api.servers.$post({ json: { name: serverName } }));
    const serverId = scene.learn("serverId", server.id);
    const inviteCode = scene.learn("inviteCode", (await call(api.servers[":id"].invites.$post({ param: { id: serverId }, json: {} }))).code);
    await alice.goto(`/servers/${serverId}`);
    await memberRow(alice, aliceName).waitFor();

    const { page: bob, name: bobName } = await newMember(inviteCode, serverId);
    scene.learn("bob", bob);
    scene.learn("bobName", bobName);
    await memberRow(alice, bobName).getByRole("img", { name: "Online" }).waitFor();
    expect(await memberPanel(alice).locator(".name").allTextContents()).toEqual([aliceName, bobName]);
    // Grouped by presence (issue 22 item 5): both are here, the owner first.
    // Bob's page reloads onto the server (newMember's goto): his first connection closes as the next
    // opens, and Alice may see him offline for that moment (api.md: presence follows the last
    // connection). What must hold is where it settles: both online, no Offline group.
    await memberPanel(alice).getByRole("heading", { name: "Online — 2" }).waitFor();
    await expect.poll(() => memberPanel(alice).getByRole("heading", { name: /^Offline/ }).count()).toBe(0);
    await memberRow(alice, aliceName).getByRole("img", { name: "Owner" }).waitFor();
    // Bob's rail learnt of the server from his own join (another tab of his, as far as it knows).
    await rail(bob).getByRole("link", { name: serverName }).waitFor();
  });

  it("an author edits a message inline, and the other side sees the new text marked (edited)", async () => {
    const { alice } = scene.people;
    const bob = scene.fact("bob");
    await say(bob, "general", "Meet at 9 at the car park");
    await messageRow(alice, "general", "Meet at 9 at the car park").waitFor();

    const mine = await pinned(bob, messageRow(bob, "general", "Meet at 9 at the car park"));
    await mine.hover();
    await shot(bob, "laptop-message-actions");
    await mine.getByRole("button", { name: "Edit message" }).click();
    const editor = mine.getByRole("textbox", { name: "Edit message" });
    expect(await editor.inputValue()).toBe("Meet at 9 at the car park");
    await editor.fill("Meet at 10 at the car park");
    await shot(bob, "laptop-message-editing");
    await editor.press("Enter");

    const seen = messageRow(alice, "general", "Meet at 10 at the car park");
    await seen.getByText("(edited)").waitFor();
    expect(await seen.getByText("(edited)").getAttribute("title")).toMatch(/^Edited /);
    await mine.getByText("(edited)").waitFor();
    // Back to the composer once the edit is saved.
    await expect.poll(() => composer(bob, "general").evaluate((el) => el === document.activeElement)).toBe(true);
    await shot(alice, "laptop-message-edited");
  });

  it("↑ in an empty composer edits one's last message; Escape leaves it as it was", async () => {
    const { alice } = scene.people;
    const bob = scene.fact("bob");
    await composer(bob, "general").press("ArrowUp");
    const editor = messageList(bob, "general").getByRole("textbox", { name: "Edit message" });
    expect(await editor.inputValue()).toBe("Meet at 10 at the car park");
    await editor.fill("something else entirely");
    await editor.press("Escape");
    await editor.waitFor({ state: "detached" });
    await messageRow(bob, "general", "Meet at 10 at the car park").waitFor();
    // Only one's own messages are offered for editing.
    await say(alice, "general", "Sounds good");
    const theirs = messageRow(bob, "general", "Sounds good");
    await theirs.waitFor();
    await theirs.hover();
    expect(await theirs.getByRole("button", { name: "Edit message" }).count()).toBe(0);
    expect(await theirs.getByRole("button", { name: "Delete message" }).count()).toBe(0);
  });

  it("an author deletes a message after confirming, and it disappears on the other side", async () => {
    const { alice } = scene.people;
    const bob = scene.fact("bob");
    await say(bob, "general", "Oops, wrong channel");
    await messageRow(alice, "general", "Oops, wrong channel").waitFor();
    const mine = messageRow(bob, "general", "Oops, wrong channel");
    await mine.hover();
    await mine.getByRole("button", { name: "Delete message" }).click();
    const dialog = bob.getByRole("dialog", { name: "Delete message" });
    await dialog.getByText("Oops, wrong channel").waitFor();
    await shot(bob, "laptop-delete-message");
    await dialog.getByRole("button", { name: "Delete" }).click();
    await dialog.waitFor({ state: "hidden" });
    await messageRow(alice, "general", "Oops, wrong channel").waitFor({ state: "detached" });
    await mine.waitFor({ state: "detached" });
  });

  it("the owner deletes someone else's message, and it disappears for its author", async () => {
    const { alice } = scene.people;
    const bob = scene.fact("bob");
    await say(bob, "general", "Buy cheap boots at example.com");
    const spam = messageRow(alice, "general", "Buy cheap boots at example.com");
    await spam.waitFor();
    await spam.hover();
    expect(await spam.getByRole("button", { name: "Edit message" }).count()).toBe(0);
    await spam.getByRole("button", { name: "Delete message" }).click();
    await alice.getByRole("dialog", { name: "Delete message" }).getByRole("button", { name: "Delete" }).click();
    await messageRow(bob, "general", "Buy cheap boots at example.com").waitFor({ state: "detached" });
  });

  it("shows who is typing under the composer, and clears it when their message arrives", async () => {
    const { alice } = scene.people;
    const bob = scene.fact("bob");
    const bobName = scene.fact("bobName");
    const typing = alice.getByText(`${bobName} is typing…`);
    await composer(bob, "general").pressSequentially("On my", { delay: 20 });
    await typing.waitFor();
    await shot(alice, "laptop-typing");
    await composer(bob, "general").pressSequentially(" way!", { delay: 20 });
    await composer(bob, "general").press("Enter");
    await messageRow(alice, "general", "On my way!").waitFor();
    await typing.waitFor({ state: "hidden", timeout: 1000 });
    // Nobody shows themselves as typing (another's indicator may still be fading on this page).
    expect(await bob.getByText(`${bobName} is typing…`).count()).toBe(0);

    // Typing that stops without a message fades after a few seconds.
    await composer(bob, "general").pressSequentially("Hmm", { delay: 20 });
    await typing.waitFor();
    await composer(bob, "general").fill("");
    // It must go by itself: the bound only says "not forever" (it goes TYPING_SHOWN_MS after the
    // last event; a loaded machine delays the page's timers, which is not the app's fault).
    await typing.waitFor({ state: "hidden", timeout: TYPING_SHOWN_MS * 3 });
  });

  it("a new channel appears in the other's list as it is created", async () => {
    const { alice } = scene.people;
    const bob = scene.fact("bob");
    await alice.getByRole("button", { name: "Create a channel" }).click();
    await alice.getByRole("dialog", { name: "Create a channel" }).getByLabel("Channel name").fill("gear");
    await alice.getByRole("dialog", { name: "Create a channel" }).getByRole("button", { name: "Create channel" }).click();
    await alice.getByRole("heading", { name: "Welcome to #gear" }).waitFor();
    await bob.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: "gear" }).waitFor();
    await alice.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: "general" }).click();
    await composer(alice, "general").waitFor();
  });

  it("someone's dot goes grey when they close their page", async () => {
    const { alice } = scene.people;
    const serverId = scene.fact("serverId");
    const inviteCode = scene.fact("inviteCode");
    const { page: carol, name: carolName } = await newMember(inviteCode, serverId);
    await memberRow(alice, carolName).getByRole("img", { name: "Online" }).waitFor();
    await carol.close();
    await memberRow(alice, carolName).getByRole("img", { name: "Offline" }).waitFor();
    await shot(alice, "laptop-members");
  });

  it("a member leaves after confirming: the server leaves their rail, and their name the member list", async () => {
    const { alice } = scene.people;
    const serverId = scene.fact("serverId");
    const inviteCode = scene.fact("inviteCode");
    const { page: dan, name: danName } = await newMember(inviteCode, serverId);
    await memberRow(alice, danName).waitFor();
    await dan.getByRole("button", { name: "Leave server" }).click();
    const dialog = dan.getByRole("dialog", { name: `Leave ${serverName}?` });
    await shot(dan, "laptop-leave-server");
    await dialog.getByRole("button", { name: "Leave server" }).click();
    await dan.waitForURL((url) => url.pathname === "/");
    await dan.getByText(`You left ${serverName}.`).waitFor();
    expect(await rail(dan).getByRole("link", { name: serverName }).count()).toBe(0);
    await memberRow(alice, danName).waitFor({ state: "detached" });
    // The owner has no Leave button: they delete the server instead.
    expect(await alice.getByRole("button", { name: "Leave server" }).count()).toBe(0);
  });

  it("the owner kicks a member: the member's window leaves the server at once, and cannot open it again", async () => {
    const { alice } = scene.people;
    const bob = scene.fact("bob");
    const bobName = scene.fact("bobName");
    const serverId = scene.fact("serverId");
    const row = memberRow(alice, bobName);
    await row.hover();
    await row.getByRole("button", { name: `Kick ${bobName}` }).click();
    const dialog = alice.getByRole("dialog", { name: `Kick ${bobName}?` });
    await shot(alice, "laptop-kick");
    await dialog.getByRole("button", { name: "Kick" }).click();
    await row.waitFor({ state: "detached" });

    await bob.waitForURL((url) => url.pathname === "/");
    await bob.getByText(`You are no longer a member of ${serverName}.`).waitFor();
    expect(await rail(bob).getByRole("link", { name: serverName }).count()).toBe(0);
    await shot(bob, "laptop-kicked");
    await bob.goto(`/servers/${serverId}`);
    await bob.getByRole("heading", { name: "Server not found" }).waitFor();
  });

  it("the owner deletes a server after typing its name: it leaves every member's rail, and their window", async () => {
    const { alice } = scene.people;
    const bob = scene.fact("bob");
    const doomedName = `Doomed ${uniqueName("")}`;
    const { api } = await apiOf(alice);
    const doomed = await call(api.servers.$post({ json: { name: doomedName } }));
    const code = (await call(api.servers[":id"].invites.$post({ param: { id: doomed.id }, json: {} }))).code;
    await call((await apiOf(bob)).api.invites[":code"].join.$post({ param: { code } }));
    await bob.goto(`/servers/${doomed.id}`);
    await composer(bob, "general").waitFor();

    await alice.goto(`/servers/${doomed.id}/settings`);
    await alice.getByRole("button", { name: "Delete server" }).click();
    const dialog = alice.getByRole("dialog", { name: `Delete ${doomedName}?` });
    const confirm = dialog.getByRole("button", { name: "Delete server" });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type ${doomedName} to confirm`).fill(doomedName.toUpperCase());
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(`Type ${doomedName} to confirm`).fill(doomedName);
    await shot(alice, "laptop-delete-server");
    await confirm.click();

    await alice.waitForURL((url) => url.pathname === "/");
    expect(await rail(alice).getByRole("link", { name: doomedName }).count()).toBe(0);
    await bob.waitForURL((url) => url.pathname === "/");
    await bob.getByText(`${doomedName} was deleted by its owner.`).waitFor();
    expect(await rail(bob).getByRole("link", { name: doomedName }).count()).toBe(0);
    // Its name is free again.
    await call(api.servers.$post({ json: { name: doomedName } }));
  });

  it("fits a phone: the member list slides over the conversation, and messages can be edited there", async () => {
    const { alice } = scene.people;
    const serverId = scene.fact("serverId");
    const inviteCode = scene.fact("inviteCode");
    await alice.goto(`/servers/${serverId}`);
    const { page: erin, name: erinName } = await newMember(inviteCode, serverId, phone);
    await say(erin, "general", "Hello from my phone");
    await erin.getByRole("button", { name: "Member list" }).click();
    const sheet = erin.getByRole("dialog", { name: "Members" });
    await sheet.getByRole("listitem").filter({ hasText: aliceName }).waitFor();
    await sheet.getByRole("listitem").filter({ hasText: erinName }).waitFor();
    await settled(erin);
    await shot(erin, "phone-members");
    await erin.keyboard.press("Escape");
    await sheet.waitFor({ state: "hidden" });

    // A tap on one's message shows its tools.
    const mine = await pinned(erin, messageRow(erin, "general", "Hello from my phone"));
    await mine.getByText("Hello from my phone").click();
    await mine.getByRole("button", { name: "Edit message" }).click();
    await mine.getByRole("textbox", { name: "Edit message" }).fill("Hello from my phone, edited");
    await shot(erin, "phone-message-editing");
    await mine.getByRole("button", { name: "save" }).click();
    await messageRow(alice, "general", "Hello from my phone, edited").getByText("(edited)").waitFor();

    await resize(alice, phone);
    await alice.getByRole("button", { name: "Member list" }).click();
    await alice.getByRole("dialog", { name: "Members" }).getByRole("button", { name: `Kick ${erinName}` }).click();
    await alice.getByRole("dialog", { name: `Kick ${erinName}?` }).waitFor();
    await shot(alice, "phone-kick");
    await alice.getByRole("dialog", { name: `Kick ${erinName}?` }).getByRole("button", { name: "Cancel" }).click();
    await alice.keyboard.press("Escape");
    await resize(alice, laptop);
  });

  it("raised no error in any page", () => {
    expect(errors()).toEqual([]);
  });
});

describe("a long member list", () => {
  it("loads members past the first hundred as one scrolls down", async () => {
    const owner = await person();
    await register(owner, uniqueName("host"));
    const { api } = await apiOf(owner);
    const server = await call(api.servers.$post({ json: { name: `Big hall ${uniqueName("")}` } }));
    const { code } = await call(api.servers[":id"].invites.$post({ param: { id: server.id }, json: {} }));
    // 120 members written straight into the table: registering each would spend seconds on password hashing.
    const { db } = world.app.stores;
    const names = Array.from({ length: 120 }, (_, i) => `zz${String(i).padStart(3, "0")}${uniqueName("")}`);
    for (let i = 0; i < names.length; i += 20) {
      await Promise.all(
        names.slice(i, i + 20).map(async (username) => {
          const userId = newId();
          const usernameLower = foldCase(username);
          await db.entities.users.create({
            userId, username, usernameLower, usernameInitial: usernameLower.slice(0, 1), email: `${usernameLower}@example.com`,
            passwordHash: "not a hash: this user never signs in", createdAt: new Date().toISOString(),
          }).go();
          await joinByInvite(db, code, userId);
        }),
      );
    }

    await owner.goto(`/servers/${server.id}`);
    const panel = memberPanel(owner);
    await panel.getByText(names[0]!).waitFor();
    await panel.getByRole("heading", { name: "Offline — 99+" }).waitFor();
    expect(await panel.getByText(names.at(-1)!).count()).toBe(0);
    await panel.getByText(names[98]!).scrollIntoViewIfNeeded();
    await panel.getByText(names.at(-1)!).waitFor();
    await panel.getByRole("heading", { name: "Offline — 120" }).waitFor();
    expect(await panel.getByRole("listitem").count()).toBe(121);
  }, 60_000);
});

describe("a direct conversation across a dropped connection", () => {
  it("shows every message sent meanwhile once, in order, and edits and deletions live", async () => {
    const [fay, gus] = await Promise.all([person(), person()]);
    const fayName = uniqueName("fay");
    const gusName = uniqueName("gus");
    await Promise.all([register(fay, fayName), register(gus, gusName)]);
    const fayApi = await apiOf(fay);
    const gusApi = await apiOf(gus);
    const dm = await call(fayApi.api.dms.$post({ json: { userId: gusApi.userId } }));
    await Promise.all([fay.goto(`/dms/${dm.id}`), gus.goto(`/dms/${dm.id}`)]);
    const list = (page: Page, other: string) => page.getByRole("list", { name: `Messages with ${other}` });
    const box = (page: Page, other: string) => page.getByRole("textbox", { name: `Message @${other}` });

    await box(fay, gusName).fill("Lunch at noon?");
    await box(fay, gusName).press("Enter");
    const seen = list(gus, fayName).getByRole("listitem").filter({ hasText: "Lunch at noon?" });
    await seen.waitFor();

    // Edited and deleted live, on the other side too.
    await box(fay, gusName).press("ArrowUp");
    await list(fay, gusName).getByRole("textbox", { name: "Edit message" }).fill("Lunch at one?");
    await list(fay, gusName).getByRole("textbox", { name: "Edit message" }).press("Enter");
    await list(gus, fayName).getByRole("listitem").filter({ hasText: "Lunch at one?" }).getByText("(edited)").waitFor();
    const mine = await pinned(fay, list(fay, gusName).getByRole("listitem").filter({ hasText: "Lunch at one?" }));
    await mine.hover();
    await mine.getByRole("button", { name: "Delete message" }).click({ modifiers: ["Shift"] });
    await list(gus, fayName).getByText("Lunch at one?").waitFor({ state: "detached" });

    // Gus's connection drops; Fay writes meanwhile (straight into the table: the API is down too).
    await world.app.stop();
    await gus.getByText("Connection lost. Reconnecting…").waitFor();
    for (const content of ["First while you were away", "Second while you were away", "Third while you were away"]) {
      await sendMessage(world.app.stores, dmKind, { conversationId: dm.id }, { userId: fayApi.userId, content });
    }
    await world.app.start();
    await gus.getByText("Online", { exact: true }).waitFor({ timeout: 20_000 });
    await list(gus, fayName).getByText("Third while you were away").waitFor();
    // A message sent live after the catch-up is the marker: once it is in, a second copy of any
    // caught-up message would be too.
    await call(fayApi.api.dms[":id"].messages.$post({ param: { id: dm.id }, json: { content: "And now live" } }));
    await list(gus, fayName).getByText("And now live").waitFor();
    const texts = await list(gus, fayName).locator("li.message .content").allTextContents();
    expect(texts).toEqual(["First while you were away", "Second while you were away", "Third while you were away", "And now live"]);
    await shot(gus, "laptop-dm-caught-up");
  }, 60_000);
});
