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
  // A send that fails (404, 400, 429) rejects these too: the route answers for it, and a publisher
  // that never looks at them (a silent one) must not leave them unhandled.
  const quietly = <T>(p: Promise<T>) => (p.catch(() => {}), p);
  const message = quietly(stored.then((s) => s && ({ type: "new_message", message: s.message, cursor: s.cursor }) as const));
  const activity = quietly(
    stored.then((s) => {
      if (!s) return null;
      const { serverId, channelId, id: messageId, authorId, mentions, mentionsEveryone } = s.message;
      return { type: "channel_activity", serverId, channelId, messageId, authorId, mentions, mentionsEveryone } as const;
    }),
  );
  await Promise.all([deps.publisher.toChannel(ids.channelId, message), deps.publisher.toChannel(ids.serverId, activity)]);
}
