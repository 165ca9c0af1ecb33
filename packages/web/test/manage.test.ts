/**
 * Direct messages found through user search, and what an owner manages (channels, invites,
 * passwords) with what a member meets on the other side: joining by password, a wrong password,
 * a revoked invite. Driven through the UI in Chromium, on a laptop and on a phone.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { call } from "../src/lib/api.ts";
import { apiUser, laptop, openNavigation, phone, register, resize, shot, stage, story, uniqueName } from "./browser.ts";

const world = stage();
const { person, errors } = world;

const dmComposer = (page: Page, username: string) => page.getByRole("textbox", { name: `Message @${username}` });
const dmList = (page: Page, username: string) => page.getByRole("list", { name: `Messages with ${username}` });

describe("a direct message round trip", () => {
  const carolName = uniqueName("carol");
  const daveName = uniqueName("dave");
  const scene = story<{ carol: Page; dave: Page }>(async () => {
    const [carol, dave] = await Promise.all([person(), person(phone)]);
    return { carol, dave };
  });

  it("Carol finds Dave by the start of his username and opens a conversation", async () => {
    const { carol, dave } = scene.people;
    await register(carol, carolName);
    await register(dave, daveName);
    await carol.getByLabel("Find people").fill(daveName.slice(0, 6).toUpperCase());
    const message = carol.getByRole("list", { name: "People found" }).getByRole("button", { name: `Message ${daveName}` });
    await message.waitFor();
    await shot(carol, "laptop-user-search");
    await message.click();
    await carol.waitForURL(/\/dms\/\w+$/);
    await carol.getByRole("heading", { name: daveName, level: 1 }).waitFor();
    await carol.getByText(`This is the beginning of your direct messages with ${daveName}.`).waitFor();
  });

  it("Dave gets Carol's message live: the conversation appears in his list, marked unread", async () => {
    const { carol, dave } = scene.people;
    await dmComposer(carol, daveName).fill("Hey Dave, are you coming on Saturday?");
    await dmComposer(carol, daveName).press("Enter");
    // Dave is on a phone: the list of conversations is his home page.
    const link = dave.getByRole("main").getByRole("link", { name: carolName });
    await link.waitFor();
    await openNavigation(dave);
    await dave.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: `${carolName} unread` }).waitFor();
    await shot(dave, "phone-dm-unread");
    await dave.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: `${carolName} unread` }).click();
    await dmList(dave, carolName).getByText("Hey Dave, are you coming on Saturday?").waitFor();
    await dave.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: carolName, exact: true }).waitFor({ state: "attached" });
  });

  it("Carol sees Dave's answer appear live in the open conversation", async () => {
    const { carol, dave } = scene.people;
    await dmComposer(dave, carolName).fill("Yes! I'll bring the map.");
    await dmComposer(dave, carolName).press("Enter");
    await dmList(carol, daveName).getByText("Yes! I'll bring the map.").waitFor();
    await dmList(dave, carolName).getByText("Yes! I'll bring the map.").waitFor();
    await shot(carol, "laptop-dm");
    await shot(dave, "phone-dm");
  });
});

describe("an owner's server: channels, invites and passwords", () => {
  const ownerName = uniqueName("olga");
  const memberName = uniqueName("mia");
  const serverName = `Book circle ${uniqueName("")}`;
  const scene = story<{ owner: Page; member: Page }, { serverId: string; inviteCode: string }>(async () => {
    const [owner, member] = await Promise.all([person(), person()]);
    return { owner, member };
  });

  it("refuses a server name already taken, next to the field, with the button disabled meanwhile", async () => {
    const { owner } = scene.people;
    await register(owner, ownerName);
    const taken = await apiUser(world.app.url, uniqueName("first"));
    await call(taken.api.servers.$post({ json: { name: serverName.toUpperCase() } }));

    await owner.getByRole("button", { name: "Create a server" }).first().click();
    const dialog = owner.getByRole("dialog", { name: "Create a server" });
    await dialog.getByRole("button", { name: "Create server" }).click();
    await dialog.getByText("Server name must be at least 2 characters.").waitFor();
    await dialog.getByLabel("Server name").fill(serverName);
    const submit = dialog.getByRole("button", { name: /Create server|Creating/ });
    const disabledWhileSending = submit.evaluate((button) =>
      new Promise<boolean>((resolve) => {
        new MutationObserver(() => (button as HTMLButtonElement).disabled && resolve(true)).observe(button, { attributes: true });
      }),
    );
    await submit.click();
    expect(await disabledWhileSending).toBe(true);
    await dialog.getByText("A server with this name already exists.").waitFor();
    expect(await dialog.getByLabel("Server name").getAttribute("aria-invalid")).toBe("true");
    await shot(owner, "laptop-create-server-taken");

    await dialog.getByLabel("Server name").fill(`${serverName} 2`);
    await dialog.getByRole("button", { name: "Create server" }).click();
    await owner.waitForURL(/\/servers\/\w+\/channels\/\w+$/);
    scene.learn("serverId", new URL(owner.url()).pathname.split("/")[2]!);
  });

  it("the owner creates a channel, and a second one of the same name is refused", async () => {
    const { owner } = scene.people;
    await owner.getByRole("button", { name: "Create a channel" }).click();
    const dialog = owner.getByRole("dialog", { name: "Create a channel" });
    await dialog.getByLabel("Channel name").fill("announcements");
    await dialog.getByRole("button", { name: "Create channel" }).click();
    await owner.getByRole("heading", { name: "Welcome to #announcements" }).waitFor();
    await owner.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: "announcements" }).waitFor();

    await owner.getByRole("button", { name: "Create a channel" }).click();
    await dialog.getByLabel("Channel name").fill("Announcements");
    await dialog.getByRole("button", { name: "Create channel" }).click();
    await dialog.getByText("A channel with this name already exists in this server.").waitFor();
    await owner.keyboard.press("Escape");
  });

  it("the owner creates an invite with max uses and expiry, and sees it listed with uses and expiry", async () => {
    const { owner } = scene.people;
    const serverId = scene.fact("serverId");
    await owner.getByRole("link", { name: "Server settings" }).first().click();
    await owner.waitForURL(`**/servers/${serverId}/settings`);
    const invites = owner.getByRole("region", { name: "Invites" });
    await invites.getByText("No active invites. Create one to bring people in.").waitFor();
    await invites.getByLabel("Expire after").selectOption({ label: "1 day" });
    await invites.getByLabel("Max uses").selectOption({ label: "5 uses" });
    await invites.getByRole("button", { name: "Create invite link" }).click();
    const row = invites.getByRole("table", { name: "Invites" }).getByRole("row").nth(1);
    await row.waitFor();
    const inviteCode = scene.learn("inviteCode", (await row.locator("code").textContent())!);
    expect(inviteCode).toMatch(/^[A-Za-z0-9]{8,}$/);
    expect(await row.getByRole("cell").nth(1).textContent()).toBe("0 / 5");
    expect(await row.getByRole("cell").nth(2).textContent()).toBe("in 24 hours");

    await row.getByRole("button", { name: `Copy link for ${inviteCode}` }).click();
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(`${world.app.url}/invite/${inviteCode}`);

    // Someone joins by it: a fresh look at the list counts the use.
    const joiner = await apiUser(world.app.url, uniqueName("joiner"));
    await call(joiner.api.invites[":code"].join.$post({ param: { code: inviteCode } }));
    await owner.reload();
    await owner.getByRole("table", { name: "Invites" }).getByRole("cell", { name: "1 / 5" }).waitFor();
  });

  it("the owner adds a labelled password with an expiry, and a wrong one is refused to a member", async () => {
    const { owner, member } = scene.people;
    const passwords = owner.getByRole("region", { name: "Passwords" });
    await passwords.getByText("No passwords. Add one to let people join with the server's name.").waitFor();
    await passwords.getByRole("button", { name: "Add password" }).click();
    await passwords.getByText("Enter a password.").waitFor();
    await passwords.getByLabel("Label (optional)").fill("Spring meetup");
    await passwords.getByLabel("Password", { exact: true }).fill("tulips-in-april");
    await passwords.getByLabel("Expire after").selectOption({ label: "7 days" });
    await passwords.getByRole("button", { name: "Add password" }).click();
    const row = passwords.getByRole("table", { name: "Passwords" }).getByRole("row", { name: /Spring meetup/ });
    await row.waitFor();
    expect(await row.getByRole("cell").nth(2).textContent()).toBe("in 7 days");
    expect(await passwords.getByLabel("Password", { exact: true }).inputValue()).toBe("");
    await shot(owner, "laptop-settings");
    await resize(owner, phone);
    await shot(owner, "phone-settings");
    await resize(owner, laptop);

    await register(member, memberName);
    await member.getByRole("link", { name: "Join a server" }).first().click();
    await member.waitForURL("**/join");
    const form = member.getByRole("region", { name: "With a password" });
    await form.getByLabel("Server name").fill(`${serverName} 2`);
    await form.getByLabel("Password").fill("tulips-in-may");
    await form.getByRole("button", { name: "Join server" }).click();
    await form.getByRole("alert").getByText("Wrong server name or password.").waitFor();
    expect(new URL(member.url()).pathname).toBe("/join");
    await shot(member, "laptop-join-wrong-password");
  });

  it("the member joins with the right password and lands in the server", async () => {
    const { owner, member } = scene.people;
    const serverId = scene.fact("serverId");
    const form = member.getByRole("region", { name: "With a password" });
    await form.getByLabel("Password").fill("tulips-in-april");
    await form.getByRole("button", { name: "Join server" }).click();
    await member.waitForURL(new RegExp(`/servers/${serverId}/channels/\\w+$`));
    await member.getByRole("link", { name: `${serverName} 2` }).waitFor();
    // A member sees no owner tools.
    await member.getByRole("navigation", { name: "Channels" }).getByRole("link", { name: "announcements" }).waitFor();
    expect(await member.getByRole("button", { name: "Create a channel" }).count()).toBe(0);
    expect(await member.getByRole("link", { name: "Server settings" }).count()).toBe(0);
    await resize(member, phone);
    await member.goto("/join");
    await member.getByRole("heading", { name: "With a password" }).waitFor();
    await shot(member, "phone-join");
    await resize(member, laptop);
  });

  it("the owner revokes the invite and deletes the password; the link then says it does not work", async () => {
    const { owner } = scene.people;
    const inviteCode = scene.fact("inviteCode");
    const invites = owner.getByRole("region", { name: "Invites" });
    await invites.getByRole("button", { name: `Revoke invite ${inviteCode}` }).click();
    await invites.getByText("No active invites. Create one to bring people in.").waitFor();

    const passwords = owner.getByRole("region", { name: "Passwords" });
    await passwords.getByRole("button", { name: "Delete password Spring meetup" }).click();
    await passwords.getByText("No passwords. Add one to let people join with the server's name.").waitFor();

    const latecomer = await person(phone);
    await register(latecomer, uniqueName("late"));
    await latecomer.goto(`/invite/${inviteCode}`);
    await latecomer.getByRole("heading", { name: "This invite doesn't work" }).waitFor();
    await latecomer.getByText("This invite does not exist.").waitFor();
    await shot(latecomer, "phone-invite-revoked");
  });

  it("raised no error in any page", () => {
    expect(errors()).toEqual([]);
  });
});
