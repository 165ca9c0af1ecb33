/**
 * What the web app asks of a server's permissions to decide which controls to show: the caller's
 * computed sets as the API sends them (`ServerDetail.permissions`, `Channel.permissions`), and the
 * hierarchy over `ServerDetail.roles`, asked of core's one computation (`rankOf`). Pure, no Svelte.
 * The API decides; these only keep a person from being offered what it would refuse.
 */
import { PERMISSIONS, can, fromWire, grantsOfDetail, permissionsOf, rankOf, type PermissionName } from "@agorusta/core/permissions";
import type { Channel, Member, ServerDetail, ServerRole } from "@agorusta/core/views";

type Detail = Pick<ServerDetail, "id" | "ownerId" | "role" | "permissions" | "roles">;

/** The caller's base set, as the API computed it. */
export const baseOf = (detail: Detail | null | undefined): bigint => permissionsOf(detail);

/** The caller's set in a channel: the API's; from an event, which carries none, the base until the details come again. */
export const channelSetOf = (detail: Detail | null | undefined, channel: Pick<Channel, "permissions"> | null | undefined): bigint =>
  channel?.permissions !== undefined ? permissionsOf(channel) : baseOf(detail);

/** Whether the caller holds `name` server-wide (the policy's `can`). */
export const holds = (detail: Detail | null | undefined, name: PermissionName): boolean => can(detail, name);

/** Whether the caller holds `name` in `channel`. */
export const holdsIn = (detail: Detail | null | undefined, channel: Pick<Channel, "permissions"> | null | undefined, name: PermissionName): boolean =>
  can(channelSetOf(detail, channel), name);

/** The server's roles, `@everyone` first, by position. */
export const rolesOf = (detail: Pick<ServerDetail, "roles"> | null | undefined): ServerRole[] =>
  [...(detail?.roles ?? [])].sort((a, b) => a.position - b.position);

/** A member's rank (the owner's is infinite; no roles: 0). */
export const rankOfMember = (detail: Pick<ServerDetail, "id" | "ownerId" | "roles">, member: Pick<Member, "user" | "roles">): number =>
  rankOf(grantsOfDetail(detail), { userId: member.user.id, roleIds: member.roles ?? [] });

/** The caller's rank: the owner's infinite without asking; else from their own membership, once known. */
export function myRank(detail: Detail, me: Pick<Member, "user" | "roles"> | null | undefined, myId: string | undefined): number {
  if (myId !== undefined && myId === detail.ownerId) return Number.POSITIVE_INFINITY;
  return me ? rankOfMember(detail, me) : 0;
}

/** Whether the caller may edit, delete, assign or remove `role`: MANAGE_ROLES, and the role below them. */
export const mayManageRole = (detail: Detail, rank: number, role: Pick<ServerRole, "position">): boolean =>
  holds(detail, "MANAGE_ROLES") && role.position < rank;

/** Whether the caller may do `name` (kick, ban, time out) to `target`: they hold it, and the target is ranked below them (never the owner). */
export const mayActOn = (detail: Detail, rank: number, target: Pick<Member, "user" | "roles">, name: PermissionName): boolean =>
  holds(detail, name) && target.user.id !== detail.ownerId && rankOfMember(detail, target) < rank;

/** The member's roles, highest first (`@everyone` left out). */
export function memberRoles(detail: Pick<ServerDetail, "roles"> | null | undefined, member: Pick<Member, "roles">): ServerRole[] {
  const ids = new Set(member.roles ?? []);
  return rolesOf(detail).filter((r) => ids.has(r.id)).reverse();
}

/** The colour a member's name is shown in: their highest role that has one (Discord's rule), or null. */
export function colorOf(detail: Pick<ServerDetail, "roles"> | null | undefined, member: Pick<Member, "roles">): string | null {
  const role = memberRoles(detail, member).find((r) => r.color !== null && r.color !== 0);
  return role ? hexColor(role.color!) : null;
}

/** The role a member is listed under: their highest hoisted role, or null. */
export const hoistOf = (detail: Pick<ServerDetail, "roles"> | null | undefined, member: Pick<Member, "roles">): ServerRole | null =>
  memberRoles(detail, member).find((r) => r.hoist) ?? null;

/** `#rrggbb` of a role's colour number, and back. */
export const hexColor = (color: number): string => `#${color.toString(16).padStart(6, "0")}`;
export const colorNumber = (hex: string): number => Number.parseInt(hex.replace(/^#/, ""), 16);

/** Whether the caller seems timed out: their base lacks something `@everyone` grants beyond what a timeout leaves. */
export function looksTimedOut(detail: Detail | null | undefined): boolean {
  if (!detail || detail.permissions === undefined) return false;
  const everyone = detail.roles?.find((r) => r.id === detail.id);
  const granted = everyone ? fromWire(everyone.permissions) : 0n;
  const kept = PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.READ_MESSAGE_HISTORY;
  const lost = granted & ~kept & ~baseOf(detail);
  return lost !== 0n;
}
