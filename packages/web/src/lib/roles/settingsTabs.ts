/**
 * The server settings' pages and who may open each (as Discord's settings): a tab is there for
 * whoever holds one of its permissions. Pure, no Svelte.
 */
import type { PermissionName } from "@agorusta/core/permissions";
import type { ServerDetail } from "@agorusta/core/views";
import { holds } from "./grants.ts";

export interface SettingsTab {
  /** The path below `/servers/:id/settings` ("" for the overview). */
  slug: "" | "roles" | "members" | "audit-log";
  label: string;
  needs: PermissionName[];
}

export const SETTINGS_TABS: SettingsTab[] = [
  { slug: "", label: "Overview", needs: ["MANAGE_GUILD", "BAN_MEMBERS"] },
  { slug: "roles", label: "Roles", needs: ["MANAGE_ROLES"] },
  { slug: "members", label: "Members", needs: ["MANAGE_ROLES", "MODERATE_MEMBERS", "KICK_MEMBERS", "BAN_MEMBERS"] },
  { slug: "audit-log", label: "Audit log", needs: ["VIEW_AUDIT_LOG"] },
];

type Detail = Pick<ServerDetail, "id" | "ownerId" | "role" | "permissions">;

export const tabsFor = (detail: Detail | null | undefined): SettingsTab[] =>
  SETTINGS_TABS.filter((tab) => tab.needs.some((name) => holds(detail, name)));
