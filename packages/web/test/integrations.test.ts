/**
 * Webhooks and bots in the web app (issue 26, item 5), in Chromium at 1280 and 390: channel
 * settings → Integrations creates a webhook and shows its URL once; a post to that URL from
 * outside arrives live with a BOT tag; the webhook is renamed and deleted there; the Developer
 * section of the profile creates a bot, shows its token, adds it to the server, and the member
 * list tags it BOT.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { call } from "../src/lib/api.ts";
import { apiOf, phone, register, resize, settled, shot, stage, story, uniqueName } from "./browser.ts";
import { messageRow } from "./chatPage.ts";

const world = stage();
const { person, errors } = world;
const laptop = { width: 1280, height: 800 };

const integrations = (page: Page) => page.getByRole("region", { name: "Integrations" });

describe("webhooks and bots", () => {
  const scene = story<{ owner: Page }, { serverId: string; channelId: string; url: string }>(async () => ({ owner: await person(laptop) }));

  it("creates a webhook in channel settings, shows its URL once, and a post to it from outside arrives live with a BOT tag", async () => {
    const { owner } = scene.people;
    await register(owner, uniqueName("hana"));
    const { api } = await apiOf(owner);
    const server = await call(api.servers.$post({ json: { name: `Hooks ${uniqueName("")}` } }));
    const detail = await call(api.servers[":id"].$get({ param: { id: server.id } }));
    const serverId = scene.learn("serverId", server.id);
    const channelId = scene.learn("channelId", detail.channels[0]!.id);

    await owner.goto(`/servers/${serverId}/channels/${channelId}/settings`);
    const card = integrations(owner);
    await card.getByText("No webhooks post into this channel.").waitFor();
    await card.getByLabel("Webhook name").fill("CI");
    await card.getByRole("button", { name: "Create webhook" }).click();
    const urlField = card.getByLabel("Webhook URL of CI");
    await urlField.waitFor();
    const url = scene.learn("url", await urlField.inputValue());
    expect(url).toMatch(new RegExp(`^${world.app.url}/api/webhooks/[0-9A-Z]{26}/[A-Za-z0-9_-]{68}$`));
    await settled(owner);
    await shot(owner, "integrations-webhook-1280");

    await owner.goto(`/servers/${serverId}/channels/${channelId}`);
    await owner.getByRole("textbox", { name: /^Message #/ }).waitFor();
    const posted = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content: "build 42 passed" }) });
    expect(posted.status).toBe(204);
    const row = messageRow(owner, "general", "build 42 passed");
    await row.waitFor({ timeout: 20_000 });
    await expect.poll(() => row.getByText("BOT", { exact: true }).count()).toBe(1);
    await expect.poll(() => row.getByText("CI", { exact: true }).count()).toBeGreaterThan(0);
  });

  it("renames and deletes the webhook; its URL then stops", async () => {
    const { owner } = scene.people;
    await owner.goto(`/servers/${scene.fact("serverId")}/channels/${scene.fact("channelId")}/settings`);
    const card = integrations(owner);
    const name = card.getByLabel("Name of CI");
    await name.fill("Deploys");
    await name.press("Tab");
    await card.getByLabel("Name of Deploys").waitFor();
    await card.getByRole("button", { name: "Delete Deploys" }).click();
    await card.getByText("No webhooks post into this channel.").waitFor();
    const after = await fetch(scene.fact("url"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content: "late" }) });
    expect(after.status).toBe(404);
  });

  it("the Developer section creates a bot, shows its token once, adds it to a server; the member list tags it BOT (1280 and 390)", async () => {
    const { owner } = scene.people;
    await owner.goto(`/servers/${scene.fact("serverId")}/channels/${scene.fact("channelId")}`);
    await owner.getByRole("button", { name: "Your profile" }).click();
    const dialog = owner.getByRole("dialog", { name: "Your profile" });
    const botName = uniqueName("robo");
    await dialog.getByLabel("Bot username").fill(botName);
    await dialog.getByRole("button", { name: "Create bot" }).click();
    const token = dialog.getByLabel(`Token of ${botName}`);
    await token.waitFor();
    expect(await token.inputValue()).toMatch(/^[0-9A-Z]{26}\.[0-9A-Z]{26}\.[A-Za-z0-9_-]{68}$/);
    await dialog.getByRole("button", { name: "Add to server" }).click();
    await dialog.getByText(`${botName} joined`).waitFor();
    await settled(owner);
    await shot(owner, "integrations-developer-1280");
    await owner.keyboard.press("Escape");

    const members = owner.getByRole("complementary", { name: "Members" });
    const botRow = members.getByRole("listitem").filter({ hasText: botName });
    await botRow.waitFor({ timeout: 20_000 });
    expect(await botRow.getByText("BOT", { exact: true }).count()).toBe(1);
    await resize(owner, phone);
    await shot(owner, "integrations-channel-390");
    await owner.goto(`/servers/${scene.fact("serverId")}/channels/${scene.fact("channelId")}/settings`);
    await integrations(owner).getByText("No webhooks post into this channel.").waitFor();
    await settled(owner);
    await shot(owner, "integrations-settings-390");
    expect(errors()).toEqual([]);
  });
});
