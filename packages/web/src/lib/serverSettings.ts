/**
 * What the server settings' Overview holds, one permission per card, as the permissions policy
 * names them; the other tabs are `roles/settingsTabs.ts`'s. The page (and the links to it) are there
 * for whoever may open any tab. No Svelte: plain data.
 */
import type { PermissionName } from "@agorusta/core/permissions";
import { tabsFor } from "./roles/settingsTabs.ts";

export const SETTINGS = {
  icon: "MANAGE_GUILD",
  invites: "MANAGE_GUILD",
  passwords: "MANAGE_GUILD",
  bans: "BAN_MEMBERS",
} as const satisfies Record<string, PermissionName>;

/** Deleting the server stays its owner's, as in Discord (api.md). */
export const mayDeleteServer = (server: { ownerId: string }, userId: string | undefined): boolean => server.ownerId === userId;

/** Whether one may open the settings page: any of its tabs (the owner holds every permission). */
export const mayOpenSettings = (detail: Parameters<typeof tabsFor>[0]): boolean => tabsFor(detail).length > 0;
