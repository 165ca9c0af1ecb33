/**
 * Feeds for the two kinds of conversation, and keeping one live while a component shows it.
 */
import { untrack } from "svelte";
import type { ClientResponse } from "hono/client";
import type { ChangesPage, DmMessage, Message } from "@agorusta/core/views";
import type { ServerEvent } from "@agorusta/core/realtime";
import { Feed, type FeedChange, type FeedSource } from "./feed.svelte.ts";
import type { SendExtras } from "./media.ts";
import type { ReadTarget } from "./readStates.svelte.ts";
import { notifyInvite } from "./push.svelte.ts";
import { sendTimeout } from "./sendTimeout.ts";
import { live } from "./live.svelte.ts";
import { api, send, session } from "./session.svelte.ts";
import { anchoredMessage } from "./interactions.svelte.ts";
import { page } from "$app/state";
import type { TimelineMessage } from "./timeline.ts";

const me = () => session.me!;

type Json<T, S extends number = 200> = Promise<ClientResponse<T, S, "json">>;
type One<P> = { param: P & { mid: string } };

/**
 * What a feed calls below a conversation's path, whose own params are `P`, for messages `M`:
 * the same calls on a channel's routes and a DM's, whose answers must be the feed's messages
 * (a route that drifts breaks the typecheck).
 */
interface FeedRoutes<P, M extends TimelineMessage> {
  messages: {
    $get(args: { param: P; query: Parameters<FeedSource<M>["page"]>[0] }): Json<M[]>;
    $post(args: { param: P; json: { content: string; nonce: string } & SendExtras }, options: ReturnType<typeof sendTimeout>): Json<M, 200 | 201>;
    ":mid": {
      $patch(args: One<P> & { json: { content: string } }): Json<M>;
      $delete(args: One<P>): Promise<ClientResponse<null, 204, "body">>;
    };
  };
  changes: { $get(args: { param: P; query: Parameters<FeedSource<M>["changes"]>[0] }): Json<ChangesPage<M>> };
}

/** A channel's feed, or a DM's. */
export function conversationFeed(where: { serverId: string; channelId: string }): Feed<Message>;
export function conversationFeed(where: { conversationId: string }): Feed<DmMessage>;
export function conversationFeed(where: ReadTarget): Feed<Message> | Feed<DmMessage> {
  return "channelId" in where
    ? feed<{ id: string; cid: string }, Message>(api.servers[":id"].channels[":cid"], { id: where.serverId, cid: where.channelId })
    : feed<{ id: string }, DmMessage>(api.dms[":id"], { id: where.conversationId });
}

function feed<P extends object, M extends TimelineMessage>(routes: FeedRoutes<P, M>, param: P): Feed<M> {
  const { messages } = routes;
  const one = (mid: string): One<P> => ({ param: { ...param, mid } });
  return new Feed<M>(
    {
      page: (query) => send(messages.$get({ param, query })),
      changes: (query) => send(routes.changes.$get({ param, query })),
      // A first message sent is a moment to offer notifications (once).
      post: (content, nonce, extras) =>
        send(messages.$post({ param, json: { content, nonce, ...extras } }, sendTimeout())).then((sent) => (notifyInvite.moment(), sent)),
      edit: (mid, content) => send(messages[":mid"].$patch({ ...one(mid), json: { content } })),
      remove: (mid) => send(messages[":mid"].$delete(one(mid))),
    },
    me,
  );
}

/** A channel's events, as changes to its feed (with the feed position each one carries). */
export const channelChanges = (channelId: string) => (e: ServerEvent): FeedChange<Message> | undefined => {
  switch (e.type) {
    case "new_message":
      return e.message.channelId === channelId ? { type: "added", message: e.message, cursor: e.cursor } : undefined;
    case "message_updated":
      return e.message.channelId === channelId ? { type: "updated", message: e.message, cursor: e.cursor } : undefined;
    case "message_deleted":
      return e.channelId === channelId ? { type: "deleted", messageId: e.messageId, cursor: e.cursor } : undefined;
  }
};

/** A DM conversation's events, as changes to its feed. */
export const dmChanges = (conversationId: string) => (e: ServerEvent): FeedChange<DmMessage> | undefined => {
  switch (e.type) {
    case "new_dm_message":
      return e.message.conversationId === conversationId ? { type: "added", message: e.message, cursor: e.cursor } : undefined;
    case "dm_message_updated":
      return e.message.conversationId === conversationId ? { type: "updated", message: e.message, cursor: e.cursor } : undefined;
    case "dm_message_deleted":
      return e.conversationId === conversationId ? { type: "deleted", messageId: e.messageId, cursor: e.cursor } : undefined;
  }
};

/**
 * Loads the feed and keeps it live for as long as the calling component lives: events it cares
 * about go in, and whatever may have been missed is fetched again each time the subscription
 * takes effect (a message sent between the first page and the subscription, or during a drop).
 * `channelId` subscribes to that channel; DM events reach both participants without one, so a
 * DM feed catches up each time the socket opens (a DM opened while the socket was still
 * connecting may have missed an event). Call during component initialisation; it runs once, for
 * the component's life, whatever state the setup reads.
 *
 * The first page is read at once, not after the subscription holds (session 10 measured that
 * wait at +0.9 s to the first message on screen under load, for one request saved): the
 * subscription's `subscribed` then catches up from the head the load read, so a change committed
 * between the two reaches the page either as an event or through that catch-up.
 */
export function follow<M extends TimelineMessage>(
  feed: Feed<M>,
  changes: (event: ServerEvent) => FeedChange<M> | undefined,
  channelId?: string,
): void {
  $effect(() => untrack(() => keepLive(feed, changes, channelId)));
}

/** What `follow` does, until the returned function is called. */
function keepLive<M extends TimelineMessage>(feed: Feed<M>, changes: (event: ServerEvent) => FeedChange<M> | undefined, channelId?: string): () => void {
  // Opened at a message (a search hit, a link): its surroundings first, not the newest page.
  const at = anchoredMessage(page.url.hash);
  void (at ? feed.loadAround(at) : feed.load());
  const realtime = live.realtime;
  const release = channelId ? realtime.subscribe(channelId) : () => {};
  const stopEvents = realtime.onEvent((event) => {
    const change = changes(event);
    if (change) feed.apply(change);
  });
  const stopOpen = channelId
    ? realtime.onFrame((frame) => frame.type === "subscribed" && "channelId" in frame && frame.channelId === channelId && void feed.catchUp())
    : realtime.onOpen(() => void feed.catchUp());
  const stopResend = realtime.onOpen(({ reconnected }) => reconnected && feed.resendFailed());
  return () => {
    release();
    stopEvents();
    stopOpen();
    stopResend();
  };
}

/** Channel feeds kept live, by channel, while someone holds them: `holdChannelFeed`. */
const held = new Map<string, { feed: Feed<Message>; holders: number; stop: () => void }>();

/**
 * A channel's feed, loaded and kept live while anyone holds it. The server's layout holds the
 * open channel's from its URL as soon as the socket is there, so its subscription and its first
 * page are under way beside the server's details (issue 27 item 3); the channel's page, which
 * needs those details to show, holds the same feed. Whoever comes first starts it.
 */
export function holdChannelFeed(serverId: string, channelId: string): { feed: Feed<Message>; release: () => void } {
  let entry = held.get(channelId);
  if (!entry) {
    const feed = conversationFeed({ serverId, channelId });
    entry = { feed, holders: 0, stop: untrack(() => keepLive(feed, channelChanges(channelId), channelId)) };
    held.set(channelId, entry);
  }
  const mine = entry;
  mine.holders++;
  let released = false;
  return {
    feed: mine.feed,
    release: () => {
      if (released) return;
      released = true;
      if (--mine.holders > 0) return;
      mine.stop();
      if (held.get(channelId) === mine) held.delete(channelId);
    },
  };
}
