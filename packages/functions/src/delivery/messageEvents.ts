/**
 * Which events tell a conversation's audience of a change to its messages, and how they reach it,
 * for each kind of conversation (api.md "WebSocket protocol", "Change feeds", "Reactions"): a
 * channel's subscribers hear `new_message`, `message_updated`, … (and its server's whole-server
 * subscribers `channel_activity`); both participants of a DM hear `new_dm_message`, … on every
 * connection. Routes never name an event: their handlers (routes/conversation.ts) hand over what
 * changed, and core (conversations/) says who its audience is.
 */
import type { ReadBatch } from "@agorusta/core/store";
import type { ChannelTypes, DmTypes, KindName, KindTypes, MessageChange, ReactionOutcome, Sent } from "@agorusta/core/conversations";
import type { Deps } from "../deps.ts";

/** What a reaction route tells: who reacted to which message, and what it came to. */
export interface ReactionNews {
  messageId: string;
  emoji: string;
  userId: string;
  outcome: NonNullable<ReactionOutcome>;
}

export interface MessageEvents<T extends KindTypes> {
  /**
   * Announces a send. Called before the send starts, so that the audience's reads (a channel's
   * kept subscriber lists' tokens, realtime/audiences.ts) join `batch`, which the send's first
   * read carries; then handed the send, it posts once the message is stored, and nothing if
   * nothing was (a repeated nonce, a refusal). Resolves once the first recipients are posted to.
   */
  announceSend(deps: Deps, ref: T["ref"], batch: ReadBatch): (sent: Promise<Sent<T>>) => Promise<void>;
  updated(deps: Deps, ref: T["ref"], change: MessageChange<T>): Promise<void>;
  deleted(deps: Deps, ref: T["ref"], messageId: string, change: { cursor: string; audience: T["audience"] }): Promise<void>;
  reaction(deps: Deps, ref: T["ref"], news: ReactionNews, audience: T["audience"]): Promise<void>;
}

const channel: MessageEvents<ChannelTypes> = {
  // `new_message` to the channel's subscribers and `channel_activity` (unread and mention badges)
  // to its server's whole-server subscribers, in parallel. Neither reads anything per recipient:
  // who is mentioned travels in the event.
  announceSend(deps, { serverId, channelId }, batch) {
    const { promise: stored, resolve } = Promise.withResolvers<Sent<ChannelTypes> | null>();
    // A send that fails (404, 400, 429) rejects these too: the route answers for it, and a
    // publisher that never looks at them (a silent one) must not leave them unhandled.
    const quietly = <E>(p: Promise<E>) => (p.catch(() => {}), p);
    const message = quietly(stored.then((s) => s?.created ? ({ type: "new_message", message: s.message, cursor: s.cursor }) as const : null));
    const activity = quietly(
      stored.then((s) => {
        if (!s?.created) return null;
        const { id: messageId, authorId, mentions, mentionsEveryone } = s.message;
        return { type: "channel_activity", serverId, channelId, messageId, authorId, mentions, mentionsEveryone } as const;
      }),
    );
    const announced = Promise.all([
      deps.publisher.toChannel({ serverId, channelId }, message, { batch }),
      deps.publisher.toChannel({ serverId, channelId, wholeServer: true }, activity, { batch }),
    ]);
    return (sent) => {
      resolve(sent);
      return announced.then(() => {});
    };
  },
  updated: (deps, ref, { message, cursor }) => deps.publisher.toChannel(ref, { type: "message_updated", message, cursor }),
  deleted: (deps, ref, messageId, { cursor }) => deps.publisher.toChannel(ref, { type: "message_deleted", channelId: ref.channelId, messageId, cursor }),
  reaction: (deps, ref, { messageId, emoji, userId, outcome: { change, count, cursor } }) =>
    deps.publisher.toChannel(ref, { type: change === "added" ? "reaction_added" : "reaction_removed", channelId: ref.channelId, messageId, emoji, userId, count, cursor }),
};

const dm: MessageEvents<DmTypes> = {
  // Who the participants are is known once the send has read the conversation: told after it.
  announceSend: (deps) => async (sent) => {
    const s = await sent.catch(() => null);
    if (s?.created) await deps.publisher.toUsers(s.audience.userIds, { type: "new_dm_message", message: s.message, cursor: s.cursor });
  },
  updated: (deps, _, { message, cursor, audience }) => deps.publisher.toUsers(audience.userIds, { type: "dm_message_updated", message, cursor }),
  deleted: (deps, { conversationId }, messageId, { cursor, audience }) =>
    deps.publisher.toUsers(audience.userIds, { type: "dm_message_deleted", conversationId, messageId, cursor }),
  reaction: (deps, { conversationId }, { messageId, emoji, userId, outcome: { change, count, cursor } }, { userIds }) =>
    deps.publisher.toUsers(userIds, { type: change === "added" ? "dm_reaction_added" : "dm_reaction_removed", conversationId, messageId, emoji, userId, count, cursor }),
};

/** By kind: the one place that decides what a change to a message is called, and who is told. */
export const messageEvents = { channel, dm } satisfies { [K in KindName]: unknown };
