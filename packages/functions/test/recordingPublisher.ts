import type { Publisher, ServerEvent } from "@agorusta/core";

export type Published =
  | { to: "channel"; channelId: string; event: ServerEvent; exceptUserId?: string }
  | { to: "server"; serverId: string | readonly string[]; event: ServerEvent; alsoUserIds?: string[] }
  | { to: "users"; userIds: string[]; event: ServerEvent }
  | { to: "connection"; connectionId: string; frame: unknown }
  | { to: "disconnect"; connectionIds: readonly string[] };

/** A Publisher that remembers what the routes asked it to push, for tests of who is told what. */
export function recordingPublisher(): Publisher & { sent: Published[]; clear(): void } {
  const sent: Published[] = [];
  return {
    sent,
    clear: () => void sent.splice(0),
    // An event still being stored is recorded once stored, as the real publisher would post it; never if it was not.
    // A whole-server audience (channel_activity) is recorded under the server's id, which names its subscribers.
    toChannel: async (audience, pending, options) => {
      const event = await Promise.resolve(pending).catch(() => null);
      if (event) sent.push({ to: "channel", channelId: audience.wholeServer ? audience.serverId : audience.channelId, event, ...options });
    },
    toServer: async (serverId, event, options) => {
      const { channel: _about, ...rest } = options ?? {};
      sent.push({ to: "server", serverId, event, ...rest });
    },
    toUsers: async (userIds, event) => void sent.push({ to: "users", userIds, event }),
    toConnection: async (connectionIds, frame) => {
      for (const connectionId of [connectionIds].flat()) sent.push({ to: "connection", connectionId, frame });
    },
    disconnect: async (connectionIds) => void sent.push({ to: "disconnect", connectionIds }),
  };
}
