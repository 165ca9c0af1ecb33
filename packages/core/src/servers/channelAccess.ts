/**
 * What a channel-management route (create, edit, reorder, delete, overwrites) reads before it
 * decides: the caller's membership and the server's roles item, and the channel when it names
 * one, in one strongly consistent BatchGetItem (the session's read joins it). Non-members and
 * channels the caller cannot view are 404; a member who lacks the permission gets 403.
 */
import type { ChannelItem, Db, MemberItem, ServerItem, ServerRolesItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { itemRead, readTogether } from "../store/readTogether.ts";
import { PERMISSIONS, has, type PermissionName } from "../permissions/bits.ts";
import { basePermissions } from "../permissions/compute.ts";
import { memberGrants, rolesRead, serverGrants } from "./grants.ts";
import { permissionsIn, requireVisible } from "./channelPermissions.ts";

export interface ServerAccess {
  member: MemberItem;
  roles: ServerRolesItem | null;
  /** The caller's server-wide permissions (`ServerDetail.permissions`). */
  base: bigint;
  /** The server item, when asked for (`withServer`). */
  server: ServerItem | null;
  now: number;
}

export interface ChannelAccess extends ServerAccess {
  channel: ChannelItem;
  /** The caller's permissions in that channel. */
  permissions: bigint;
}

const refusal = (name: PermissionName) => `You need the ${name} permission to do that.`;

/** 403 unless `set` holds the permission. */
export function requireBit(set: bigint, name: PermissionName): void {
  if (!has(set, PERMISSIONS[name])) throw new AppError("forbidden", refusal(name));
}

/** The caller's membership and base permissions (and the server item with `withServer`). */
export async function serverAccess(db: Db, serverId: string, userId: string, options: { withServer?: boolean } = {}): Promise<ServerAccess> {
  const found = await readTogether(
    db,
    {
      member: itemRead(db.entities.members, { serverId, userId }),
      roles: rolesRead(db, serverId),
      server: options.withServer ? itemRead(db.entities.servers, { serverId }) : undefined,
    },
    { consistent: true },
  );
  if (!found.member || (options.withServer && !found.server)) throw new AppError("not_found", "No such server.");
  const now = db.clock.now();
  return { member: found.member, roles: found.roles, server: found.server, now, base: basePermissions(serverGrants(found.member, found.roles), memberGrants(found.member), now) };
}

/** The same, with the channel the route names and the caller's permissions in it: 404 for a channel they cannot view. */
export async function channelAccess(db: Db, serverId: string, channelId: string, userId: string, options: { withServer?: boolean } = {}): Promise<ChannelAccess> {
  const found = await readTogether(
    db,
    {
      member: itemRead(db.entities.members, { serverId, userId }),
      roles: rolesRead(db, serverId),
      channel: itemRead(db.entities.channels, { serverId, channelId }),
      server: options.withServer ? itemRead(db.entities.servers, { serverId }) : undefined,
    },
    { consistent: true },
  );
  if (!found.member || (options.withServer && !found.server)) throw new AppError("not_found", "No such server.");
  if (!found.channel) throw new AppError("not_found", "No such channel.");
  const now = db.clock.now();
  const permissions = permissionsIn(found.member, found.roles, found.channel, now);
  requireVisible(permissions);
  return {
    member: found.member,
    roles: found.roles,
    server: found.server,
    channel: found.channel,
    now,
    permissions,
    base: basePermissions(serverGrants(found.member, found.roles), memberGrants(found.member), now),
  };
}
