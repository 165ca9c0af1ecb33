/**
 * What a channel-management route (create, edit, reorder, delete, overwrites) reads before it
 * decides: the caller's standing (access.ts: membership and the server's roles item), and the
 * channel when it names one, in one strongly consistent BatchGetItem (the session's read joins
 * it). Non-members and channels the caller cannot view are 404; a member who lacks the
 * permission gets 403 (`requireBit`).
 */
import type { ChannelItem, Db, MemberItem, ServerItem, ServerRolesItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { itemRead } from "../store/readTogether.ts";
import { standingWith } from "./access.ts";
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

async function read(db: Db, serverId: string, userId: string, channelId: string | undefined, withServer: boolean) {
  const { standing, found } = await standingWith(
    db,
    serverId,
    userId,
    {
      channel: channelId ? itemRead(db.entities.channels, { serverId, channelId }) : undefined,
      server: withServer ? itemRead(db.entities.servers, { serverId }) : undefined,
    },
    { consistent: true },
  );
  if (withServer && !found.server) throw new AppError("not_found", "No such server.");
  const access: ServerAccess = { member: standing.member, roles: standing.rolesItem, base: standing.permissions, server: (found.server as ServerItem | undefined) ?? null, now: db.clock.now() };
  return { access, channel: found.channel as ChannelItem | undefined };
}

/** The caller's membership and base permissions (and the server item with `withServer`). */
export async function serverAccess(db: Db, serverId: string, userId: string, options: { withServer?: boolean } = {}): Promise<ServerAccess> {
  return (await read(db, serverId, userId, undefined, options.withServer ?? false)).access;
}

/** The same, with the channel the route names and the caller's permissions in it: 404 for a channel they cannot view. */
export async function channelAccess(db: Db, serverId: string, channelId: string, userId: string, options: { withServer?: boolean } = {}): Promise<ChannelAccess> {
  const { access, channel } = await read(db, serverId, userId, channelId, options.withServer ?? false);
  if (!channel) throw new AppError("not_found", "No such channel.");
  const permissions = permissionsIn(access.member, access.roles, channel, access.now);
  requireVisible(permissions);
  return { ...access, channel, permissions };
}
