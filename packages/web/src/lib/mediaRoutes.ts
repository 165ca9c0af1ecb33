/**
 * The routes and events of reactions and uploads, for either kind of conversation: one set of
 * calls, on a channel's routes or a DM's. `:emoji` goes in as it is: the API client (api.ts)
 * percent-encodes every param once; encoding it here too sent `%25F0…`, which the API refuses
 * as not an emoji.
 */
import type { ServerEvent } from "@agorusta/core/realtime";
import type { Client } from "./api.ts";
import type { ConversationMedia, ReactionChange } from "./interactions.svelte.ts";
import type { ReadTarget } from "./readStates.svelte.ts";
import { api, send } from "./session.svelte.ts";

type ChannelRoutes = Client["servers"][":id"]["channels"][":cid"];
type Reaction = ChannelRoutes["messages"][":mid"]["reactions"][":emoji"];
type OfReaction<P> = { param: P & { mid: string; emoji: string } };
type UploadRoute = ChannelRoutes["attachments"]["$post"];

/**
 * What reactions and uploads call below a conversation's path, whose own params are `P`. The
 * answers are typed by a channel's routes, so a DM's that came to differ breaks the typecheck.
 */
interface MediaRoutes<P> {
  messages: {
    ":mid": {
      reactions: {
        ":emoji": {
          $get(args: OfReaction<P> & { query: {} }): ReturnType<Reaction["$get"]>;
          me: { $put(args: OfReaction<P>): ReturnType<Reaction["me"]["$put"]>; $delete(args: OfReaction<P>): ReturnType<Reaction["me"]["$delete"]> };
        };
      };
    };
  };
  attachments: { $post(args: { param: P; json: Parameters<UploadRoute>[0]["json"] }): ReturnType<UploadRoute> };
}

/** A channel's reactions and uploads, or a DM's. */
export function conversationMedia(where: ReadTarget): ConversationMedia {
  if ("channelId" in where) {
    const { channelId } = where;
    return media(api.servers[":id"].channels[":cid"], { id: where.serverId, cid: channelId }, (e) =>
      (e.type === "reaction_added" || e.type === "reaction_removed") && e.channelId === channelId ? change(e, e.type === "reaction_added") : undefined,
    );
  }
  const { conversationId } = where;
  return media(api.dms[":id"], { id: conversationId }, (e) =>
    (e.type === "dm_reaction_added" || e.type === "dm_reaction_removed") && e.conversationId === conversationId
      ? change(e, e.type === "dm_reaction_added")
      : undefined,
  );
}

function media<P extends object>(routes: MediaRoutes<P>, param: P, reactions: ConversationMedia["reactions"]): ConversationMedia {
  const reaction = routes.messages[":mid"].reactions[":emoji"];
  const of = (mid: string, emoji: string): OfReaction<P> => ({ param: { ...param, mid, emoji } });
  return {
    source: {
      react: async (mid, emoji, on) => {
        await send(on ? reaction.me.$put(of(mid, emoji)) : reaction.me.$delete(of(mid, emoji)));
      },
      reactors: (mid, emoji) => send(reaction.$get({ ...of(mid, emoji), query: {} })),
      requestUpload: (file) => send(routes.attachments.$post({ param, json: file })),
    },
    reactions,
  };
}

const change = (e: Extract<ServerEvent, { messageId: string; emoji: string }>, added: boolean): ReactionChange => ({
  messageId: e.messageId,
  emoji: e.emoji,
  userId: e.userId,
  count: e.count,
  added,
});
