/**
 * An audit entry as a sentence ("alice created the role Moderators"), and its changes as
 * "name: old → new" lines. The action names are core's (`AUDIT_ACTIONS`); one this file does
 * not know yet reads as its name in words.
 */
import { AUDIT_ACTIONS, type AuditAction } from "@agorusta/core/audit";
import { namesOf, fromWire } from "@agorusta/core/permissions";
import type { AuditEntry } from "@agorusta/core/views";

const VERBS: Record<AuditAction, string> = {
  guild_update: "updated the server",
  channel_create: "created the channel",
  channel_update: "updated the channel",
  channel_delete: "deleted the channel",
  channel_overwrite_create: "set permissions in",
  channel_overwrite_update: "changed permissions in",
  channel_overwrite_delete: "removed permissions in",
  member_kick: "kicked",
  member_ban_add: "banned",
  member_ban_remove: "lifted the ban of",
  member_update: "updated",
  member_role_update: "changed the roles of",
  role_create: "created the role",
  role_update: "updated the role",
  role_delete: "deleted the role",
  invite_create: "created the invite",
  invite_delete: "deleted the invite",
  password_create: "created a join password",
  password_delete: "deleted a join password",
  webhook_create: "created the webhook",
  webhook_update: "updated the webhook",
  webhook_delete: "deleted the webhook",
  message_delete: "deleted a message by",
};

/** The filter's choices, grouped as one reads them. */
export const ACTION_CHOICES = AUDIT_ACTIONS.map((action) => ({ action, label: label(action) }));

export function label(action: string): string {
  const words = action.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The verb; a member update that set or ended a timeout says so. */
export function verbOf(action: string, changes?: AuditEntry["changes"]): string {
  const timeout = changes?.timeoutUntil as { new?: unknown } | undefined;
  if (action === "member_update" && timeout) return timeout.new ? "timed out" : "ended the timeout of";
  return (VERBS as Record<string, string>)[action] ?? label(action).toLowerCase();
}


/** An ISO date-time, as the API writes them (a timeout's end). */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/** What a change's value looks like to a person: permission sets by their names, colours as hex. */
function shown(key: string, value: unknown): string {
  if (value === undefined || value === null || value === "") return "none";
  if ((key === "permissions" || key === "allow" || key === "deny") && typeof value === "string" && /^\d+$/.test(value)) {
    const names = namesOf(fromWire(value));
    return names.length ? names.map((n) => n.toLowerCase().replace(/_/g, " ")).join(", ") : "none";
  }
  if (key === "color" && typeof value === "number") return `#${value.toString(16).padStart(6, "0")}`;
  if (typeof value === "string" && ISO.test(value)) return new Date(value).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function changeLines(entry: Pick<AuditEntry, "changes">): string[] {
  if (!entry.changes) return [];
  return Object.entries(entry.changes).map(([key, change]) => {
    const { old, new: next } = (change ?? {}) as { old?: unknown; new?: unknown };
    const name = key.replace(/([A-Z])/g, " $1").toLowerCase();
    if (old === undefined) return `${name}: ${shown(key, next)}`;
    if (next === undefined) return `${name}: ${shown(key, old)} (removed)`;
    return `${name}: ${shown(key, old)} → ${shown(key, next)}`;
  });
}
