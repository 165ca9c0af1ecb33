/**
 * What a change to a server's channels tells whom (api.md "Roles, channels, moderation": events
 * to the server's subscribers who can see what they concern; who can see is the publisher's
 * filter). A channel in an event carries no `permissions`: it goes to many people at once, and
 * each client computes its own from `overwrites` (core/permissions/compute.ts).
 */
import type { Channel } from "@agorusta/core/views";
import type { ChannelItem } from "@agorusta/core/model";
import type { Deps } from "../deps.ts";
import { permissionsChanged } from "./permissionsChanged.ts";

/** A channel as everyone is told of it: without the permissions of whoever changed it. */
const shared = ({ permissions: _, ...channel }: Channel): Channel => channel;

export function announceChannels(deps: Deps) {
  const toServer = (serverId: string, event: Parameters<Deps["publisher"]["toServer"]>[1]) => deps.publisher.toServer(serverId, event);
  return {
    created: (channel: Channel) => toServer(channel.serverId, { type: "channel_created", channel: shared(channel) }),

    async updated(channels: readonly Channel[]) {
      await Promise.all(channels.map((channel) => toServer(channel.serverId, { type: "channel_updated", channel: shared(channel) })));
    },

    /**
     * The channel is gone: told to those who could see it (by the overwrites it had); a category's
     * channels, moved to the top level, are updated.
     */
    async deleted(channel: Pick<ChannelItem, "serverId" | "channelId" | "overwrites">, moved: readonly Channel[]) {
      const { serverId, channelId } = channel;
      await deps.publisher.toServer(serverId, { type: "channel_deleted", serverId, channelId }, { channel: { overwrites: channel.overwrites } });
      await this.updated(moved);
    },

    /**
     * Its overwrites changed (`before`: those it had): `channel_updated` to who sees it now, and who
     * lost or gained it is told and unsubscribed (delivery/permissionsChanged.ts).
     */
    async permissionsChanged(channel: Channel, before: ChannelItem["overwrites"]) {
      await Promise.all([
        this.updated([channel]),
        permissionsChanged(deps, { serverId: channel.serverId, channelsBefore: [{ channelId: channel.id, overwrites: before }] }),
      ]);
    },
  };
}
