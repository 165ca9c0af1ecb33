/**
 * The routes and events of reactions and uploads, for the two kinds of conversation. `:emoji`
 * goes in as it is: the API client (api.ts) percent-encodes every param once; encoding it here
 * too sent `%25F0…`, which the API refuses as not an emoji.
 */
import type { ServerEvent } from "@agorusta/core/realtime";
import type { ConversationMedia, ReactionChange } from "./interactions.svelte.ts";
import { api, send } from "./session.svelte.ts";

export function channelMedia(serverId: string, channelId: string): ConversationMedia {
  const messages = api.servers[":id"].channels[":cid"].messages;
  const reaction = (mid: string, emoji: string) => ({ param: { id: serverId, cid: channelId, mid, emoji } });
  return {
    source: {
      react: async (mid, emoji, on) => {
        const mine = messages[":mid"].reactions[":emoji"].me;
        await send(on ? mine.$put(reaction(mid, emoji)) : mine.$delete(reaction(mid, emoji)));
      },
      reactors: (mid, emoji) => send(messages[":mid"].reactions[":emoji"].$get({ ...reaction(mid, emoji), query: {} })),
      requestUpload: (file) => send(api.servers[":id"].channels[":cid"].attachments.$post({ param: { id: serverId, cid: channelId }, json: file })),
    },
    reactions: (e) =>
      (e.type === "reaction_added" || e.type === "reaction_removed") && e.channelId === channelId ? change(e, e.type === "reaction_added") : undefined,
  };
}

export function dmMedia(conversationId: string): ConversationMedia {
  const messages = api.dms[":id"].messages;
  const reaction = (mid: string, emoji: string) => ({ param: { id: conversationId, mid, emoji } });
  return {
    source: {
      react: async (mid, emoji, on) => {
        const mine = messages[":mid"].reactions[":emoji"].me;
        await send(on ? mine.$put(reaction(mid, emoji)) : mine.$delete(reaction(mid, emoji)));
      },
      reactors: (mid, emoji) => send(messages[":mid"].reactions[":emoji"].$get({ ...reaction(mid, emoji), query: {} })),
      requestUpload: (file) => send(api.dms[":id"].attachments.$post({ param: { id: conversationId }, json: file })),
    },
    reactions: (e) =>
      (e.type === "dm_reaction_added" || e.type === "dm_reaction_removed") && e.conversationId === conversationId
        ? change(e, e.type === "dm_reaction_added")
        : undefined,
  };
}

const change = (e: Extract<ServerEvent, { messageId: string; emoji: string }>, added: boolean): ReactionChange => ({
  messageId: e.messageId,
  emoji: e.emoji,
  userId: e.userId,
  count: e.count,
  added,
});
