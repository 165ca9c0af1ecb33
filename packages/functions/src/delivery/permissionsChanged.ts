/**
 * After a change to who may see what in a server (api.md "Permission changes take effect at
 * once"): the sockets of a member who lost `VIEW_CHANNEL` on a channel stop getting its events
 * (their subscriptions to it are dropped) and their clients are told `channel_deleted`; a member
 * who gained it is told `channel_created` (the channel with their permissions in it). The roles
 * and channels routes call this once their permission-changing write has committed (a role
 * edited, reordered or deleted; a member's roles or timeout; a channel's overwrites).
 *
 * Every delivery already filters its audience by permissions (core/servers/channelAudiences.ts),
 * so nothing of the channel reaches a member who lost it even before this runs: this keeps their
 * subscriptions honest and their screens in step. Who is told is worked out in core
 * (servers/visibilityShift.ts); the frames go through the publisher, whose fan-out engine takes
 * the recipients past its first batch.
 */
import { channelView, type Channel } from "@agorusta/core";
import { shiftVisibility, type PermissionChange } from "@agorusta/core/servers";
import { toWire } from "@agorusta/core/permissions";
import type { Deps } from "../deps.ts";

export type { PermissionChange };

/**
 * Resolves once the subscriptions that must go are gone and the clients' frames are handed to the
 * publisher; never rejects (a failure is logged: the deliveries' own filtering still holds).
 */
export async function permissionsChanged(deps: Pick<Deps, "db" | "publisher">, change: PermissionChange): Promise<void> {
  try {
    const { lost, gained } = await shiftVisibility(deps.db, change);
    const { serverId } = change;
    await Promise.all([
      ...lost.map(({ channelId, connectionIds }) => deps.publisher.toConnection(connectionIds, { type: "channel_deleted", serverId, channelId })),
      ...gained.map(({ channel, permissions, connectionIds }) => {
        // `permissions` is the recipient's own (api.md `Channel.permissions`).
        const view = { ...channelView(channel), permissions: toWire(permissions) } as Channel;
        return deps.publisher.toConnection(connectionIds, { type: "channel_created", channel: view });
      }),
    ]);
  } catch (e) {
    console.error(`permissionsChanged ${change.serverId}: clients not told:`, e);
  }
}
