/**
 * What the permission computation (permissions/compute.ts) needs, read from the table: the
 * server's roles item and its owner, a member's roles and timeout, a channel's overwrites. The
 * roles item is an `ItemRead`, so a caller that already reads the membership and the channel in
 * one BatchGetItem (a send: conversations/kinds/channel.ts) adds it to that same request.
 */
import type { ChannelItem, Db, MemberItem, ServerRolesItem } from "../model/index.ts";
import { itemRead } from "../store/batchGet.ts";
import { DEFAULT_EVERYONE, fromWire, toWire } from "../permissions/bits.ts";
import type { MemberGrants, OverwriteBits, RoleGrant, ServerGrants } from "../permissions/compute.ts";

/** A stored role, as the roles item holds it. */
export type StoredRole = ServerRolesItem["roles"][number];

/** `@everyone` as a server made before roles has it: what every member could do then. */
export const defaultEveryone = (serverId: string, createdAt: string): StoredRole => ({
  id: serverId,
  name: "@everyone",
  position: 0,
  permissions: toWire(DEFAULT_EVERYONE),
  createdAt,
});

/** The roles item of a server, to read alone or with others. */
export const rolesRead = (db: Db, serverId: string) => itemRead(db.entities.serverRoles, { serverId });

/** The roles (by position, `@everyone` first) and version of a server, from its item or the default when it has none. */
export function rolesOf(serverId: string, serverCreatedAt: string, item: ServerRolesItem | null | undefined): { roles: StoredRole[]; version: number } {
  if (!item) return { roles: [defaultEveryone(serverId, serverCreatedAt)], version: 0 };
  return { roles: [...item.roles].sort((a, b) => a.position - b.position), version: item.version };
}

/** The computation's view of a server. The owner's id and creation time are on every membership (members.ts), so no server read is needed. */
export function serverGrants(member: Pick<MemberItem, "serverId" | "serverOwnerId" | "serverCreatedAt">, item: ServerRolesItem | null | undefined): ServerGrants {
  const { roles } = rolesOf(member.serverId, member.serverCreatedAt, item);
  return {
    serverId: member.serverId,
    ownerId: member.serverOwnerId,
    roles: new Map(roles.map((r): [string, RoleGrant] => [r.id, { id: r.id, position: r.position, permissions: fromWire(r.permissions) }])),
  };
}

/** The computation's view of a member. */
export const memberGrants = (member: Pick<MemberItem, "userId" | "roleIds" | "timeoutUntil">): MemberGrants => ({
  userId: member.userId,
  roleIds: member.roleIds ?? [],
  timeoutUntil: member.timeoutUntil ?? null,
});

/** A channel's overwrites as bits. */
export const overwritesOf = (channel: Pick<ChannelItem, "overwrites">): OverwriteBits[] =>
  (channel.overwrites ?? []).map((o) => ({ id: o.id, type: o.type, allow: fromWire(o.allow), deny: fromWire(o.deny) }));

/** Reads the roles item alone (one GetItem). */
export async function readRoles(db: Db, serverId: string): Promise<ServerRolesItem | null> {
  return (await db.entities.serverRoles.get({ serverId }).go()).data;
}
