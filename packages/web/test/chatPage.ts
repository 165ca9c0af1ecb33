/**
 * The chat page as a person finds its parts, by role and name (what a screen reader announces),
 * for the browser tests: one channel's message list, its composer, a message's row, the server
 * rail, and saying something.
 */
import type { Page } from "playwright-core";

export const messageList = (page: Page, channel: string) => page.getByRole("list", { name: `Messages in #${channel}` });
export const composer = (page: Page, channel: string) => page.getByRole("textbox", { name: `Message #${channel}` });
export const messageRow = (page: Page, channel: string, text: string) =>
  messageList(page, channel).getByRole("listitem").filter({ hasText: text });
/** The scrolling part of the open conversation. */
export const scroller = (page: Page) => page.locator(".scroller");
export const rail = (page: Page) => page.getByRole("navigation", { name: "Servers" });

/** Types `text` into the channel's composer and sends it with Enter. */
export async function say(page: Page, channel: string, text: string) {
  await composer(page, channel).fill(text);
  await composer(page, channel).press("Enter");
}
