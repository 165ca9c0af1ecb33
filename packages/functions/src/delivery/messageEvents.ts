import type { Message } from "@agorusta/core";
import type { Deps } from "../deps.ts";

/**
 * A new channel message: `new_message` to the channel's subscribers and `channel_activity` to
 * its server's whole-server subscribers (unread and mention badges), in parallel. Neither reads
 * anything per recipient: who is mentioned travels in the event.
 */
export async function announceMessage(deps: Deps, message: Message, cursor: string): Promise<void> {
  const { serverId, channelId, id: messageId, authorId, mentions, mentionsEveryone } = message;
  await Promise.all([
    deps.publisher.toChannel(channelId, { type: "new_message", message, cursor }),
    deps.publisher.toChannel(serverId, { type: "channel_activity", serverId, channelId, messageId, authorId, mentions, mentionsEveryone }),
  ]);
}
