/**
 * Ending sessions from the web app (api.md "Sessions and safety"), in Chromium: a person changes
 * their password from their profile (every other device is signed out, this one stays), then
 * signs out everywhere (this device too).
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { PASSWORD, register, shot, stage, story, uniqueName } from "./browser.ts";

const world = stage();
const NEW_PASSWORD = "a much longer passphrase";

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
const openProfile = async (page: Page) => {
  await page.getByRole("button", { name: "Your profile" }).click();
  return page.getByRole("dialog", { name: "Your profile" });
};
const onSignInPage = (page: Page) => page.waitForURL((url) => url.pathname === "/login");

describe("a person's sessions, from their profile", () => {
  const scene = story<{ laptop: Page; phone: Page }, { email: string }>(async () => ({ laptop: await world.person(), phone: await world.person() }));

  it("a wrong current password is refused next to it, and nothing changes", async () => {
    const { laptop, phone } = scene.people;
    const name = uniqueName("paula");
    const email = scene.learn("email", `${name}@example.com`);
    await register(laptop, name);
    await signIn(phone, email, PASSWORD);
    await phone.getByText("Online", { exact: true }).waitFor();

    const profile = await openProfile(laptop);
    await profile.getByLabel("Current password").fill("not my password");
    await profile.getByLabel("New password").fill(NEW_PASSWORD);
    await profile.getByRole("button", { name: "Change password" }).click();
    await profile.getByText("Your current password is not right.").waitFor();
    expect(await profile.getByLabel("Current password").getAttribute("aria-invalid")).toBe("true");
    // Still signed in on both.
    await phone.getByText("Online", { exact: true }).waitFor();
  });

  it("changing it keeps this device signed in and signs the other one out; only the new password works after", async () => {
    const { laptop, phone } = scene.people;
    // The server closes this tab's socket too; it reconnects with the new token at once, with no
    // "Connection lost" flashing meanwhile.
    await laptop.evaluate(() => {
      const w = window as unknown as { __bannerSeen: boolean };
      w.__bannerSeen = false;
      new MutationObserver(() => {
        if (document.body.textContent?.includes("Connection lost")) w.__bannerSeen = true;
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const profile = laptop.getByRole("dialog", { name: "Your profile" });
    await profile.getByLabel("Current password").fill(PASSWORD);
    await profile.getByLabel("New password").fill(NEW_PASSWORD);
    await profile.getByRole("button", { name: "Change password" }).click();
    await profile.getByRole("status").getByText("Password changed.", { exact: false }).waitFor();
    await shot(laptop, "laptop-password-changed");
    // The phone's token ended: its socket is closed and its next request is refused.
    await onSignInPage(phone);
    await phone.getByText("Your session has ended", { exact: false }).waitFor();
    await shot(phone, "laptop-signed-out-elsewhere");
    await laptop.getByText("Online", { exact: true }).waitFor();
    expect(await laptop.evaluate(() => (window as unknown as { __bannerSeen: boolean }).__bannerSeen)).toBe(false);

    await laptop.keyboard.press("Escape");
    await laptop.reload();
    await laptop.getByText("Online", { exact: true }).waitFor();

    await signIn(phone, scene.fact("email"), PASSWORD);
    await phone.getByRole("alert").waitFor();
    expect(new URL(phone.url()).pathname).toBe("/login");
    await signIn(phone, scene.fact("email"), NEW_PASSWORD);
    await phone.waitForURL((url) => url.pathname === "/");
    await phone.getByText("Online", { exact: true }).waitFor();
  });

  it("signing out everywhere ends every device, this one included", async () => {
    const { laptop, phone } = scene.people;
    const profile = await openProfile(laptop);
    await profile.getByRole("button", { name: "Sign out everywhere" }).click();
    await onSignInPage(laptop);
    await onSignInPage(phone);
    // Reloading does not bring either back: their tokens are refused.
    for (const page of [laptop, phone]) {
      await page.goto("/");
      await onSignInPage(page);
    }
    expect(world.errors().filter((e) => !/401|Unauthorized/i.test(e))).toEqual([]);
  });
});
