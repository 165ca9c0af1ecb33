/**
 * Who may do what in a server: the one policy that every check in core and every control the web
 * app shows asks. A permission is Discord's (bits.ts), held when the caller's computed set
 * (compute.ts) has its bit: core asks over the set it computed, the web app over the set the
 * API computed for it (`ServerDetail.permissions`, `Channel.permissions`), so both ask the same
 * question the same way. Pure and free of Node: the web app imports it too.
 */
import { PERMISSIONS, fromWire, has, type PermissionName } from "./bits.ts";
import { rankOf, type MemberGrants, type RoleGrant, type ServerGrants } from "./compute.ts";

/** A member's old role in a server (api.md: the creator is its `owner`, everyone who joins a `member`); kept for old clients. */
export const ROLES = ["owner", "member"] as const;
export type Role = (typeof ROLES)[number];

/**
 * What holds a computed permission set: the bits themselves (core), or a view carrying the wire
 * set (`ServerDetail`: the caller's base; a `Channel`: the caller's there). A view from a server
 * older than the field holds nothing.
 */
export type Holder = bigint | { permissions?: string | undefined };

/** The bits a holder holds. */
export const permissionsOf = (holder: Holder | null | undefined): bigint =>
  holder == null ? 0n : typeof holder === "bigint" ? holder : holder.permissions ? fromWire(holder.permissions) : 0n;

/** Whether the holder holds `permission` (Discord's name). Nobody (`null`) holds anything. */
export const can = (holder: Holder | null | undefined, permission: PermissionName): boolean => has(permissionsOf(holder), PERMISSIONS[permission]);

/** Whether the caller owns the server (a `ServerDetail`'s `role`): deleting it stays theirs alone, as in Discord. */
export const mayDeleteServer = (detail: { role: Role } | null | undefined): boolean => detail?.role === "owner";

/**
 * Whether `actor` ranks above `target` in a server as the web app has it (`ServerDetail` with
 * `roles`; each member with their role ids): the controls that act on a member (kick, ban, time
 * out) show only where the API will allow them.
 */
export function outranksIn(
  detail: Parameters<typeof grantsOfDetail>[0],
  actor: { id: string; roles?: readonly string[] | undefined },
  target: { id: string; roles?: readonly string[] | undefined },
): boolean {
  return outranks(grantsOfDetail(detail), { userId: actor.id, roleIds: actor.roles ?? [] }, { userId: target.id, roleIds: target.roles ?? [] });
}

/** Whether a member (a membership, or a `ServerDetail`'s `role`) may leave: anyone but the owner (who would leave the server without one; they delete it instead). */
export const mayLeave = (detail: { role: Role } | null | undefined): boolean => !!detail && detail.role !== "owner";

/**
 * "Grant only what you hold": whether someone whose permissions are `held` may set `granted`
 * where `before` was (in a role, or an overwrite's allow or deny). Only the bits added count, as
 * in Discord: a moderator may edit a role that holds more than they do, as long as they add
 * nothing they lack. The owner and administrators hold everything, so they may grant anything.
 */
export const mayGrant = (held: bigint, granted: bigint, before = 0n): boolean => (granted & ~before & ~held) === 0n;

/**
 * Whether `actor` may act on `target` (kick, ban, time out, change their roles): never on the
 * owner, and only on someone ranked below them (the owner is above everyone).
 */
export const outranks = (server: ServerGrants, actor: MemberGrants, target: MemberGrants): boolean =>
  target.userId !== server.ownerId && rankOf(server, actor) > rankOf(server, target);

/** Whether `actor` may create, edit, delete, assign or remove a role at `position`: only below their rank. */
export const ranksAbove = (server: ServerGrants, actor: MemberGrants, position: number): boolean => rankOf(server, actor) > position;

/**
 * The computation's view of a server as the web app has it (`ServerDetail`: its id, owner and
 * `roles` with wire sets), so a control can ask `outranks`/`ranksAbove` as the API will.
 */
export const grantsOfDetail = (detail: {
  id: string;
  ownerId: string;
  roles?: ReadonlyArray<{ id: string; position: number; permissions: string }> | undefined;
}): ServerGrants => ({
  serverId: detail.id,
  ownerId: detail.ownerId,
  roles: new Map((detail.roles ?? []).map((r): [string, RoleGrant] => [r.id, { id: r.id, position: r.position, permissions: fromWire(r.permissions) }])),
});

/** 0 is the highest: the owner first in the roster (the roster's order stays the old roles'; hoisting is the web app's). */
const rank = (a: { role: Role }) => (a.role === "owner" ? 0 : 1);

/** A member's place in the roster, as the `members` entity keeps it (highest rank first). */
export const rosterRankOf = (a: { role: Role }) => String(rank(a));
