/**
 * What a change to a server's channels tells whom (api.md "Roles, channels, moderation": events
 * to the server's subscribers who can see what they concern; who can see is the publisher's
 * filter). A channel in an event carries no `permissions`: it goes to many people at once, and
 * each client computes its own from `overwrites` (core/permissions/compute.ts).
 */
import type { Channel } from "@agorusta/core/views";
import type { Deps } from "../deps.ts";

/** A channel as everyone is told of it: without the permissions of whoever changed it. */
const shared = ({ permissions: _, ...channel }: Channel): Channel => channel;

export function announceChannels(deps: Deps) {
  const toServer = (serverId: string, event: Parameters<Deps["publisher"]["toServer"]>[1]) => deps.publisher.toServer(serverId, event);
  return {
    created: (channel: Channel) => toServer(channel.serverId, { type: "channel_created", channel: shared(channel) }),

    async updated(channels: readonly Channel[]) {
      await Promise.all(channels.map((channel) => toServer(channel.serverId, { type: "channel_updated", channel: shared(channel) })));
    },

    /** The channel is gone; a category's channels, moved to the top level, are updated. */
    async deleted(serverId: string, channelId: string, moved: readonly Channel[]) {
      await toServer(serverId, { type: "channel_deleted", serverId, channelId });
      await this.updated(moved);
      // VISIBILITY: call the visibility helper's permissionsChanged(serverId, …) here once its API lands.
    },

    /** Its overwrites changed: who may see it may have changed too. */
    async permissionsChanged(channel: Channel) {
      await this.updated([channel]);
      // VISIBILITY: call the visibility helper's permissionsChanged(serverId, …) here once its API lands.
    },
  };
}
