/**
 * What the server settings page holds, one power per card, as the permissions policy names them:
 * the page (and the links to it) are there for whoever may do any of it. No Svelte: plain data.
 */
import { can, type Action, type Actor } from "@agorusta/core/permissions";
import { tabsFor } from "./roles/settingsTabs.ts";

export const SETTINGS = {
  icon: "manage_server",
  invites: "manage_invites",
  passwords: "manage_server",
  deletion: "delete_server",
} as const satisfies Record<string, Action>;

/** Whether `actor` (one's membership, e.g. a server's details) may open the settings page: a card of its overview, or another of its tabs. */
export const mayOpenSettings = (actor: (Actor & Parameters<typeof tabsFor>[0]) | null | undefined): boolean =>
  Object.values(SETTINGS).some((action) => can(actor, action)) || tabsFor(actor).length > 0;
