/**
 * A member's permissions, computed as Discord computes them (api.md "Permissions"): the base from
 * `@everyone` and the member's roles, `ADMINISTRATOR` and the owner above everything, then a
 * channel's overwrites in their order, then the implicit denies and the timeout. Pure and free of
 * Node: every check in core and every control the web app shows asks this one computation.
 */
import { ALL_PERMISSIONS, PERMISSIONS, SEND_DEPENDENT, TIMED_OUT_MAX, has } from "./bits.ts";

/** A role as the computation reads it. `@everyone`'s id is the server's. */
export interface RoleGrant {
  id: string;
  position: number;
  permissions: bigint;
}

/** A channel's overwrite for a role (`@everyone` included) or a member. */
export interface OverwriteBits {
  id: string;
  type: "role" | "member";
  allow: bigint;
  deny: bigint;
}

/** What the computation needs of a server: who owns it, and its roles by id (`@everyone` among them). */
export interface ServerGrants {
  serverId: string;
  ownerId: string;
  roles: ReadonlyMap<string, RoleGrant>;
}

/** What it needs of a member: their roles (ids of roles since deleted are ignored) and any timeout. */
export interface MemberGrants {
  userId: string;
  roleIds: readonly string[];
  /** ISO time; in the past or absent: not timed out. */
  timeoutUntil?: string | null | undefined;
}

export const isTimedOut = (member: MemberGrants, nowMs: number): boolean =>
  !!member.timeoutUntil && Date.parse(member.timeoutUntil) > nowMs;

const rolesOf = (server: ServerGrants, member: MemberGrants): RoleGrant[] =>
  member.roleIds.flatMap((id) => (id !== server.serverId && server.roles.has(id) ? [server.roles.get(id)!] : []));

/** Whether the member is above every rule: the owner, or one of their roles (or `@everyone`) holds `ADMINISTRATOR`. */
function unbounded(server: ServerGrants, member: MemberGrants, base: bigint): boolean {
  return member.userId === server.ownerId || has(base, PERMISSIONS.ADMINISTRATOR);
}

/** `@everyone`'s permissions OR each of the member's roles'. */
function rawBase(server: ServerGrants, member: MemberGrants): bigint {
  let base = server.roles.get(server.serverId)?.permissions ?? 0n;
  for (const role of rolesOf(server, member)) base |= role.permissions;
  return base;
}

/**
 * The member's server-wide permissions (`ServerDetail.permissions`): everything for the owner or
 * an administrator; else the base, cut to what a timeout leaves.
 */
export function basePermissions(server: ServerGrants, member: MemberGrants, nowMs: number): bigint {
  const base = rawBase(server, member);
  if (unbounded(server, member, base)) return ALL_PERMISSIONS;
  return isTimedOut(member, nowMs) ? base & TIMED_OUT_MAX : base;
}

/**
 * The member's permissions in a channel (`Channel.permissions`): the base, then the `@everyone`
 * overwrite, the member's roles' overwrites together, the member's own; nothing without
 * `VIEW_CHANNEL`; the send-dependent bits gone without `SEND_MESSAGES`; a timeout's cut last.
 */
export function channelPermissions(server: ServerGrants, member: MemberGrants, overwrites: readonly OverwriteBits[], nowMs: number): bigint {
  const base = rawBase(server, member);
  if (unbounded(server, member, base)) return ALL_PERMISSIONS;
  let perms = base;
  const everyone = overwrites.find((o) => o.type === "role" && o.id === server.serverId);
  if (everyone) perms = (perms & ~everyone.deny) | everyone.allow;
  const mine = new Set(rolesOf(server, member).map((r) => r.id));
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === "role" && mine.has(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  perms = (perms & ~deny) | allow;
  const own = overwrites.find((o) => o.type === "member" && o.id === member.userId);
  if (own) perms = (perms & ~own.deny) | own.allow;
  if (!has(perms, PERMISSIONS.VIEW_CHANNEL)) return 0n;
  if (!has(perms, PERMISSIONS.SEND_MESSAGES)) perms &= ~SEND_DEPENDENT;
  return isTimedOut(member, nowMs) ? perms & TIMED_OUT_MAX : perms;
}

/**
 * The member's rank for the hierarchy: the highest position among their roles (`@everyone`'s 0
 * for none), and above every position for the owner.
 */
export function rankOf(server: ServerGrants, member: MemberGrants): number {
  if (member.userId === server.ownerId) return Number.POSITIVE_INFINITY;
  return Math.max(0, ...rolesOf(server, member).map((r) => r.position));
}
