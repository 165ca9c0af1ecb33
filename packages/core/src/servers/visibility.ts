/**
 * Who can see a channel (api.md "What a member cannot see does not exist for them"), asked of
 * items already read: the server's roles item, the channel's overwrites, a member's item (the
 * computation itself: channelPermissions.ts). Every place that must leave out what a member
 * cannot see among many members asks this: the publisher's audiences
 * (realtime/audiences.ts), read states (conversations/kinds/channel.ts), revocation
 * (packages/functions, delivery/permissionsChanged.ts).
 */
import type { ChannelItem, MemberItem, ServerRolesItem } from "../model/index.ts";
import { PERMISSIONS, has } from "../permissions/bits.ts";
import type { OverwriteBits, ServerGrants } from "../permissions/compute.ts";
import { overwritesOf, serverGrants } from "./grants.ts";
import { canView, permissionsIn } from "./channelPermissions.ts";

/** What the computation needs of a member's item (the owner and creation time of the server are copied on it). */
export type Viewer = Pick<MemberItem, "serverId" | "userId" | "roleIds" | "timeoutUntil" | "serverOwnerId" | "serverCreatedAt">;

/** Whether the member may see the channel at all. */
export const mayView = (roles: ServerRolesItem | null | undefined, channel: Pick<ChannelItem, "overwrites">, member: Viewer, nowMs: number): boolean =>
  canView(permissionsIn(member, roles, channel, nowMs));

/**
 * Whether EVERY member sees the channel, known without reading any member: `@everyone` holds
 * `VIEW_CHANNEL` after the channel's `@everyone` overwrite, and no role's or member's overwrite
 * denies it. Then each member does too, whatever their roles (a role only adds to the base; a
 * timeout keeps `VIEW_CHANNEL`). The channels of a server that never made one private all are:
 * their audiences cost no member reads.
 */
export function everyoneSees(server: Pick<ServerGrants, "serverId" | "roles">, overwrites: readonly OverwriteBits[]): boolean {
  const view = PERMISSIONS.VIEW_CHANNEL;
  let everyone = server.roles.get(server.serverId)?.permissions ?? 0n;
  const own = overwrites.find((o) => o.type === "role" && o.id === server.serverId);
  if (own) everyone = (everyone & ~own.deny) | own.allow;
  return has(everyone, view) && !overwrites.some((o) => o !== own && has(o.deny, view));
}

/**
 * The same, from the items: the roles item (absent: the default `@everyone`, which sees) and the
 * channel. `serverCreatedAt` does not matter to visibility, so none is needed.
 */
export const everyoneSeesChannel = (serverId: string, roles: ServerRolesItem | null | undefined, channel: Pick<ChannelItem, "overwrites">): boolean =>
  everyoneSees(serverGrants({ serverId, serverOwnerId: "", serverCreatedAt: "" }, roles), overwritesOf(channel));
