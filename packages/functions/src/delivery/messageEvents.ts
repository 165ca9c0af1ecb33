import type { Message } from "@agorusta/core";
import type { SentMessage } from "@agorusta/core/messages";
import type { Deps } from "../deps.ts";

/**
 * Sends a channel message and announces it: `new_message` to the channel's subscribers and
 * `channel_activity` to its server's whole-server subscribers (unread and mention badges), in
 * parallel. Neither reads anything per recipient: who is mentioned travels in the event. Both
 * audiences are looked up *before* `send` starts, so their lookups' reads go out in the send's
 * first BatchGetItem (core/realtime/audiences.ts), and nothing is posted before it is stored; a
 * repeated nonce (`created: false`) stored nothing and pushes nothing.
 */
export function sendAnnounced<S extends SentMessage>(
  deps: Deps,
  ids: { serverId: string; channelId: string },
  send: () => Promise<S>,
): { sent: Promise<S>; announced: Promise<void> } {
  const { promise: stored, resolve } = Promise.withResolvers<{ message: Message; cursor: string } | null>();
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
  const announced = Promise.all([deps.publisher.toChannel(ids.channelId, message), deps.publisher.toChannel(ids.serverId, activity)]).then(() => {});
  const sent = send();
  resolve(sent.then((s: SentMessage) => (s.created ? s : null)));
  return { sent, announced };
}
