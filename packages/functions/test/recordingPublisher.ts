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
    toChannel: async (channelId, pending, options) => {
      const event = await Promise.resolve(pending).catch(() => null);
      if (event) sent.push({ to: "channel", channelId, event, ...options });
    },
    toServer: async (serverId, event, options) => void sent.push({ to: "server", serverId, event, ...options }),
    toUsers: async (userIds, event) => void sent.push({ to: "users", userIds, event }),
    toConnection: async (connectionId, frame) => void sent.push({ to: "connection", connectionId, frame }),
    disconnect: async (connectionIds) => void sent.push({ to: "disconnect", connectionIds }),
  };
}
