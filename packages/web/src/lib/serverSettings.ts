/**
 * What the server settings page holds, one power per card, as the permissions policy names them:
 * the page (and the links to it) are there for whoever may do any of it. No Svelte: plain data.
 */
import { can, type Action, type Actor } from "@agorusta/core/permissions";

export const SETTINGS = {
  icon: "manage_server",
  invites: "manage_invites",
  passwords: "manage_server",
  bans: "ban_members",
  deletion: "delete_server",
} as const satisfies Record<string, Action>;

/** Whether `actor` (one's membership, e.g. a server's details) may open the settings page. */
export const mayOpenSettings = (actor: Actor | null | undefined): boolean => Object.values(SETTINGS).some((action) => can(actor, action));
