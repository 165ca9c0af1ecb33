/**
 * Issue 23's "done means", through the web app: an owner delegates moderation to a role, makes a
 * staff-only channel, a read-only announcements channel and a slowed-down busy one; a moderator
 * moderates (a timeout with a reason, read back in the audit log); members see only what they may,
 * live. Four people in their own browsers: the owner, the moderator and one member on a laptop
 * (1280×800), the other member on a phone (390×844). Screenshots in `.test-artifacts/web/`.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { call } from "../src/lib/api.ts";
import { apiOf, openNavigation, register, settled, shot, stage, story, uniqueName } from "./browser.ts";
import { composer, messageRow, say } from "./chatPage.ts";

const world = stage();
const { person, errors } = world;

const laptop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

const channels = (page: Page) => page.getByRole("navigation", { name: "Channels" });
const channelLink = (page: Page, name: string) => channels(page).getByRole("link", { name: new RegExp(`^${name}(,|$)`) });
const memberPanel = (page: Page) => page.getByRole("complementary", { name: "Members" });

/** The owner creates a text channel from the sidebar, lands in it, and opens its settings from its header. */
async function newChannel(owner: Page, serverId: string, name: string) {
  await owner.goto(`/servers/${serverId}`);
  await channels(owner).getByRole("button", { name: "Create a channel" }).first().click();
  await owner.getByRole("dialog").getByLabel("Channel name").fill(name);
  await owner.getByRole("dialog").getByRole("button", { name: "Create channel" }).click();
  await composer(owner, name).waitFor();
  await owner.getByRole("link", { name: "Edit channel", exact: true }).click();
}

interface Facts {
  serverId: string;
  ownerName: string;
  modName: string;
  miaName: string;
  patName: string;
  staffId: string;
}

// Four people in four browsers on a shared machine: each step gets more than the default 30 s.
describe("a community run by roles", { timeout: 90_000 }, () => {
  const scene = story<{ owner: Page; mod: Page; mia: Page; pat: Page }, Facts>(async () => {
    const [owner, mod, mia, pat] = await Promise.all([person(laptop), person(laptop), person(laptop), person(phone)]);
    return { owner, mod, mia, pat };
  });

  it("four people meet in one server", async () => {
    const { owner, mod, mia, pat } = scene.people;
    const names = {
      ownerName: scene.learn("ownerName", uniqueName("olive")),
      modName: scene.learn("modName", uniqueName("max")),
      miaName: scene.learn("miaName", uniqueName("mia")),
      patName: scene.learn("patName", uniqueName("pat")),
    };
    // One after another: four argon2 hashes at once on a shared machine outlast a page's wait.
    for (const [page, name] of [[owner, names.ownerName], [mod, names.modName], [mia, names.miaName], [pat, names.patName]] as const) {
      await register(page, name);
    }
    const { api } = await apiOf(owner);
    const server = await call(api.servers.$post({ json: { name: `Harbour ${uniqueName("")}` } }));
    const serverId = scene.learn("serverId", server.id);
    const { code } = await call(api.servers[":id"].invites.$post({ param: { id: serverId }, json: {} }));
    for (const page of [mod, mia, pat]) {
      const { api: theirs } = await apiOf(page);
      await call(theirs.invites[":code"].join.$post({ param: { code } }));
    }
    await Promise.all([owner, mod, mia].map((p) => p.goto(`/servers/${serverId}`)));
    await pat.goto(`/servers/${serverId}`);
    await composer(owner, "general").waitFor();
  }, 180_000);

  it("the owner creates a Moderators role: a colour, shown apart, and named permissions with a sentence each", async () => {
    const { owner } = scene.people;
    await owner.goto(`/servers/${scene.fact("serverId")}/settings/roles`);
    await owner.getByRole("button", { name: "Create role" }).click();
    const editor = owner.locator("form.role-editor");
    await editor.getByLabel("Role name").fill("Moderators");
    await editor.getByRole("button", { name: "Colour #3498db" }).click();
    await editor.getByText("Show apart in the member list").click();
    for (const name of ["KICK_MEMBERS", "MODERATE_MEMBERS", "MANAGE_MESSAGES", "VIEW_AUDIT_LOG"]) {
      await editor.locator(`input[data-permission="${name}"]`).check();
    }
    await editor.getByText("Lets members stop members ranked below them from sending").waitFor();
    await editor.getByRole("button", { name: "Save changes" }).click();
    await editor.getByRole("heading", { name: "Moderators" }).waitFor();
    await owner.getByRole("list", { name: "Roles, highest first" }).getByRole("button", { name: /Moderators/ }).waitFor();
    await shot(owner, "laptop-roles-editor");
  });

  it("the owner gives the moderator the role; their name takes its colour and its group", async () => {
    const { owner, mia } = scene.people;
    const modName = scene.fact("modName");
    await owner.getByRole("navigation", { name: "Server settings" }).getByRole("link", { name: "Members" }).click();
    const row = owner.locator(`li.person[data-user="${modName}"]`);
    await row.getByRole("combobox", { name: `Give ${modName} a role` }).selectOption({ label: "Moderators" });
    await row.getByRole("list", { name: `Roles of ${modName}` }).getByText("Moderators").waitFor();
    await shot(owner, "laptop-members-settings");
    // Everyone's member list shows the group, with the moderator in the role's colour.
    await memberPanel(mia).getByRole("heading", { name: "Moderators — 1" }).waitFor();
    const name = memberPanel(mia).locator(".name", { hasText: modName });
    expect(await name.evaluate((e) => getComputedStyle(e).color)).toBe("rgb(52, 152, 219)");
  });

  it("the owner makes a staff-only channel in a Staff category: the moderator sees it appear, members never", async () => {
    const { owner, mod, mia } = scene.people;
    const serverId = scene.fact("serverId");
    await owner.goto(`/servers/${serverId}`);
    await channels(owner).getByRole("button", { name: "Create a channel" }).click();
    const dialog = owner.getByRole("dialog");
    await dialog.getByText("Category", { exact: true }).click();
    await dialog.getByLabel("Category name").fill("Staff");
    await dialog.getByRole("button", { name: "Create category" }).click();
    await channels(owner).getByRole("button", { name: "Staff", exact: true }).waitFor();

    await channels(owner).getByRole("button", { name: "Create a channel in Staff" }).click();
    await dialog.getByLabel("Channel name").fill("staff-room");
    await dialog.getByRole("switch").check();
    await dialog.getByRole("button", { name: "Create channel" }).click();
    await composer(owner, "staff-room").waitFor();
    const staffId = scene.learn("staffId", new URL(owner.url()).pathname.split("/").at(-1)!);

    // Moderators may view it: an overwrite for the role, from the channel's settings.
    await owner.getByRole("link", { name: "Edit channel", exact: true }).click();
    const perms = owner.getByRole("region", { name: "Permissions" });
    await perms.getByRole("combobox", { name: "Add a role or member" }).selectOption({ label: "Moderators" });
    await perms.locator('li[data-permission="VIEW_CHANNEL"]').getByLabel("Allow: View channels").check();
    await perms.getByRole("button", { name: "Save permissions" }).click();
    await expect.poll(() => perms.getByRole("button", { name: "Save permissions" }).isDisabled(), { timeout: 10_000 }).toBe(true);
    await shot(owner, "laptop-channel-permissions");

    await channelLink(mod, "staff-room").waitFor();
    await shot(mod, "laptop-staff-room-appears");
    await channels(mia).getByRole("link", { name: /^general/ }).waitFor();
    expect(await channelLink(mia, "staff-room").count()).toBe(0);
    await mia.goto(`/servers/${serverId}/channels/${staffId}`);
    await mia.getByRole("heading", { name: "Channel not found" }).waitFor();
  });

  it("a read-only announcements channel: members get a notice instead of the composer", async () => {
    const { owner, mia } = scene.people;
    const serverId = scene.fact("serverId");
    await newChannel(owner, serverId, "announcements");
    const perms = owner.getByRole("region", { name: "Permissions" });
    await perms.locator('li[data-permission="SEND_MESSAGES"]').getByLabel("Deny: Send messages").check();
    await perms.getByRole("button", { name: "Save permissions" }).click();

    await channelLink(mia, "announcements").click();
    await mia.getByText("You do not have permission to send messages in this channel.").waitFor();
    expect(await composer(mia, "announcements").count()).toBe(0);
    await shot(mia, "laptop-read-only-channel");
  });

  it("a busy channel in slowmode: the member on a phone sees the countdown", async () => {
    const { owner, pat } = scene.people;
    const serverId = scene.fact("serverId");
    await newChannel(owner, serverId, "busy");
    const overview = owner.getByRole("region", { name: "Overview" });
    await overview.getByLabel("Topic").fill("Anything goes, one message a minute.");
    await overview.getByLabel("Slowmode").selectOption({ label: "1 minute" });
    await overview.getByRole("button", { name: "Save changes" }).click();
    await overview.getByRole("status").getByText("Saved").waitFor();

    await openNavigation(pat);
    await channelLink(pat, "busy").click();
    await settled(pat);
    await pat.getByText("Slowmode is on: one message every 1:00.").waitFor();
    await say(pat, "busy", "first!");
    await expect.poll(() => pat.getByRole("timer").textContent(), { timeout: 10_000 }).toMatch(/Slowmode: ([1-5]?\ds|1:00)$/);
    await shot(pat, "phone-slowmode-countdown");
    // The owner is not held by slowmode.
    await owner.goto(`/servers/${serverId}/channels/${new URL(pat.url()).pathname.split("/").at(-1)}`);
    await composer(owner, "busy").waitFor();
    expect(await owner.getByRole("timer").count()).toBe(0);
  });

  it("the moderator times a member out with a reason: the member's composer gives way to a notice, live", async () => {
    const { mod, mia } = scene.people;
    const serverId = scene.fact("serverId");
    const miaName = scene.fact("miaName");
    await channelLink(mia, "general").click();
    await composer(mia, "general").waitFor();
    await say(mia, "general", "Before my timeout");
    const mine = messageRow(mia, "general", "Before my timeout");
    await mine.hover();
    await mine.getByRole("button", { name: "Add reaction" }).waitFor();

    await mod.goto(`/servers/${serverId}/settings/members`);
    const row = mod.locator(`li.person[data-user="${miaName}"]`);
    // Members only: nobody acts on the owner, and a moderator not on a peer.
    expect(await mod.locator(`li.person[data-user="${scene.fact("ownerName")}"]`).getByRole("button").count()).toBe(0);
    expect(await mod.locator(`li.person[data-user="${scene.fact("modName")}"]`).getByRole("button").count()).toBe(0);
    expect(await row.getByRole("button", { name: "Ban" }).count()).toBe(0);
    await row.getByRole("button", { name: "Time out" }).click();
    const dialog = mod.getByRole("dialog");
    await dialog.getByLabel("For how long").selectOption({ label: "10 minutes" });
    await dialog.getByLabel(/Reason/).fill("Cool down, please");
    await shot(mod, "laptop-timeout-dialog");
    await dialog.getByRole("button", { name: "Time out" }).click();
    await row.getByText(/Timed out until/).waitFor();

    await mia.getByText(/You are timed out until .*You can read, but not send messages or react/).waitFor();
    expect(await composer(mia, "general").count()).toBe(0);
    // Controls she may not use are not shown: no new reaction, no reply; the message's menu stays.
    await mine.hover();
    await mine.getByRole("button", { name: "More" }).waitFor();
    expect(await mine.getByRole("button", { name: "Add reaction" }).count()).toBe(0);
    expect(await mine.getByRole("button", { name: "Reply" }).count()).toBe(0);
    await shot(mia, "laptop-timed-out");
  });

  it("the owner reads the audit log, filtered by the moderator: the timeout and its reason", async () => {
    const { owner } = scene.people;
    await owner.goto(`/servers/${scene.fact("serverId")}/settings/audit-log`);
    await owner.getByRole("list", { name: "Audit log entries" }).waitFor();
    await owner.getByLabel("By").selectOption({ label: scene.fact("modName") });
    const entry = owner.getByRole("list", { name: "Audit log entries" }).getByRole("listitem").filter({ hasText: "Cool down, please" });
    await entry.filter({ hasText: scene.fact("miaName") }).waitFor();
    await shot(owner, "laptop-audit-log");
    await owner.getByLabel("Action").selectOption("role_create");
    await owner.getByText("Nothing matches these filters.").waitFor();
  });

  it("the moderator loses the role: the staff room disappears from their screen, live", async () => {
    const { owner, mod } = scene.people;
    const modName = scene.fact("modName");
    await mod.goto(`/servers/${scene.fact("serverId")}/channels/${scene.fact("staffId")}`);
    await composer(mod, "staff-room").waitFor();
    await owner.goto(`/servers/${scene.fact("serverId")}/settings/members`);
    await owner.locator(`li.person[data-user="${modName}"]`).getByRole("button", { name: `Take Moderators from ${modName}` }).click();
    await mod.getByText("#staff-room is no longer available.").waitFor();
    expect(await channelLink(mod, "staff-room").count()).toBe(0);
    await composer(mod, "general").waitFor();
  });

  it("the owner renames a channel and the server, then deletes the channel: everyone follows live", async () => {
    const { owner, pat } = scene.people;
    const serverId = scene.fact("serverId");
    await owner.goto(`/servers/${serverId}/settings`);
    const newName = `Harbour Club ${uniqueName("")}`;
    const nameCard = owner.getByRole("region", { name: "Server name" });
    await nameCard.getByLabel("Name").fill(newName);
    await nameCard.getByRole("button", { name: "Save" }).click();
    await nameCard.getByText("Saved").waitFor();
    await shot(owner, "laptop-server-overview");

    await owner.goto(`/servers/${serverId}`);
    // The gear beside the channel's name in the sidebar (shown on hover).
    await channelLink(owner, "busy").hover();
    await channels(owner).getByRole("listitem").filter({ has: owner.getByRole("link", { name: /^busy(,|$)/ }) }).getByRole("link", { name: "Channel settings" }).click();
    const overview = owner.getByRole("region", { name: "Overview" });
    await overview.getByLabel("Channel name").fill("lounge");
    await overview.getByRole("button", { name: "Save changes" }).click();
    await overview.getByText("Saved").waitFor();

    // The phone's drawer shows the new names.
    await openNavigation(pat);
    await channelLink(pat, "lounge").waitFor();
    await pat.getByText(newName).first().waitFor();
    await shot(pat, "phone-renamed");

    await owner.getByRole("button", { name: "Delete channel" }).click();
    await owner.getByRole("dialog").getByRole("button", { name: "Delete channel" }).click();
    await composer(owner, "general").waitFor();
    expect(await channelLink(owner, "lounge").count()).toBe(0);
    await channelLink(pat, "lounge").waitFor({ state: "detached" });
  });

  it("shows the settings and the sidebar at phone width, and nothing went wrong in any page", async () => {
    const { pat, owner } = scene.people;
    await owner.setViewportSize(phone);
    await owner.goto(`/servers/${scene.fact("serverId")}/settings/roles`);
    await owner.getByRole("list", { name: "Roles, highest first" }).getByRole("button", { name: /@everyone/ }).click();
    await owner.locator("form.role-editor").getByText("Every member has @everyone.").waitFor();
    await shot(owner, "phone-roles-everyone");
    await openNavigation(pat);
    await shot(pat, "phone-sidebar-categories");
    expect(errors()).toEqual([]);
  });
});
