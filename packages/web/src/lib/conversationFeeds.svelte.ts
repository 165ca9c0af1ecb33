/**
 * Feeds for the two kinds of conversation, and keeping one live while a component shows it.
 */
import { untrack } from "svelte";
import type { DmMessage, Message } from "@agorusta/core/views";
import type { ServerEvent } from "@agorusta/core/realtime";
import { Feed, type FeedChange } from "./feed.svelte.ts";
import { live } from "./live.svelte.ts";
import { api, send, session } from "./session.svelte.ts";
import type { TimelineMessage } from "./timeline.ts";

const me = () => session.me!;

export function channelFeed(serverId: string, channelId: string): Feed<Message> {
  const param = { id: serverId, cid: channelId };
  const one = (mid: string) => ({ param: { ...param, mid } });
  const messages = api.servers[":id"].channels[":cid"].messages;
  return new Feed<Message>(
    {
      page: (query) => send(messages.$get({ param, query })),
      post: (content, extras) => send(messages.$post({ param, json: { content, ...extras } })),
      edit: (mid, content) => send(messages[":mid"].$patch({ ...one(mid), json: { content } })),
      remove: (mid) => send(messages[":mid"].$delete(one(mid))),
    },
    me,
  );
}

export function dmFeed(conversationId: string): Feed<DmMessage> {
  const param = { id: conversationId };
  const one = (mid: string) => ({ param: { ...param, mid } });
  const messages = api.dms[":id"].messages;
  return new Feed<DmMessage>(
    {
      page: (query) => send(messages.$get({ param, query })),
      post: (content, extras) => send(messages.$post({ param, json: { content, ...extras } })),
      edit: (mid, content) => send(messages[":mid"].$patch({ ...one(mid), json: { content } })),
      remove: (mid) => send(messages[":mid"].$delete(one(mid))),
    },
    me,
  );
}

/** A channel's events, as changes to its feed. */
export const channelChanges = (channelId: string) => (e: ServerEvent): FeedChange<Message> | undefined => {
  switch (e.type) {
    case "new_message":
      return e.message.channelId === channelId ? { type: "added", message: e.message } : undefined;
    case "message_updated":
      return e.message.channelId === channelId ? { type: "updated", message: e.message } : undefined;
    case "message_deleted":
      return e.channelId === channelId ? { type: "deleted", messageId: e.messageId } : undefined;
  }
};

/** A DM conversation's events, as changes to its feed. */
export const dmChanges = (conversationId: string) => (e: ServerEvent): FeedChange<DmMessage> | undefined => {
  switch (e.type) {
    case "new_dm_message":
      return e.message.conversationId === conversationId ? { type: "added", message: e.message } : undefined;
    case "dm_message_updated":
      return e.message.conversationId === conversationId ? { type: "updated", message: e.message } : undefined;
    case "dm_message_deleted":
      return e.conversationId === conversationId ? { type: "deleted", messageId: e.messageId } : undefined;
  }
};

/**
 * Loads the feed and keeps it live for as long as the calling component lives: events it cares
 * about go in, and whatever may have been missed is fetched again each time the subscription
 * takes effect (a message sent between the first page and the subscription, or during a drop).
 * `channelId` subscribes to that channel; DM events reach both participants without one, so a
 * DM feed catches up on each reconnect. Call during component initialisation; it runs once, for
 * the component's life, whatever state the setup reads.
 */
export function follow<M extends TimelineMessage>(
  feed: Feed<M>,
  changes: (event: ServerEvent) => FeedChange<M> | undefined,
  channelId?: string,
): void {
  $effect(() => untrack(() => {
    void feed.load();
    const realtime = live.realtime;
    const release = channelId ? realtime.subscribe(channelId) : () => {};
    const stopEvents = realtime.onEvent((event) => {
      const change = changes(event);
      if (change) feed.apply(change);
    });
    const stopOpen = channelId
      ? realtime.onFrame((frame) => frame.type === "subscribed" && "channelId" in frame && frame.channelId === channelId && void feed.catchUp())
      : realtime.onOpen(({ reconnected }) => reconnected && void feed.catchUp());
    return () => {
      release();
      stopEvents();
      stopOpen();
    };
  }));
}
