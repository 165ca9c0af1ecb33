/**
 * What the server settings page holds, one permission per card, by Discord's names (the
 * permissions policy): the page (and the links to it) are there for whoever may do any of it,
 * or delete the server (its owner). No Svelte: plain data.
 */
import { can, mayDeleteServer, type PermissionName, type Role } from "@agorusta/core/permissions";

export const SETTINGS = {
  icon: "MANAGE_GUILD",
  invites: "MANAGE_GUILD",
  passwords: "MANAGE_GUILD",
} as const satisfies Record<string, PermissionName>;

/** Whether the caller (a server's details: their base permissions and old role) may open the settings page. */
export const mayOpenSettings = (detail: { permissions?: string | undefined; role: Role } | null | undefined): boolean =>
  mayDeleteServer(detail) || Object.values(SETTINGS).some((permission) => can(detail, permission));
