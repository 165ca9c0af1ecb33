import type { Message } from "@agorusta/core";
import type { Deps } from "../deps.ts";

/**
 * A new channel message: `new_message` to the channel's subscribers and `channel_activity` to
 * its server's whole-server subscribers (unread and mention badges), in parallel. Neither reads
 * anything per recipient: who is mentioned travels in the event. `stored` is the message still
 * being stored: both audiences are looked up meanwhile, and nothing is posted before it is
 * stored (`null`: nothing new was stored, a repeated nonce).
 */
export async function announceMessage(
  deps: Deps,
  ids: { serverId: string; channelId: string },
  stored: Promise<{ message: Message; cursor: string } | null>,
): Promise<void> {
  await Promise.all([
    deps.publisher.toChannel(ids.channelId, stored.then((s) => s && { type: "new_message", message: s.message, cursor: s.cursor })),
    deps.publisher.toChannel(
      ids.serverId,
      stored.then((s) => {
        if (!s) return null;
        const { serverId, channelId, id: messageId, authorId, mentions, mentionsEveryone } = s.message;
        return { type: "channel_activity", serverId, channelId, messageId, authorId, mentions, mentionsEveryone };
      }),
    ),
  ]);
}
