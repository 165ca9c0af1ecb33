/**
 * Feeds for the two kinds of conversation, and keeping one live while a component shows it.
 */
import { untrack } from "svelte";
import type { DmMessage, Message } from "@agorusta/core/views";
import type { ServerEvent } from "@agorusta/core/events";
import { Feed } from "./feed.svelte.ts";
import { live } from "./live.svelte.ts";
import { api, send, session } from "./session.svelte.ts";
import type { TimelineMessage } from "./timeline.ts";

const me = () => session.me!;

export function channelFeed(serverId: string, channelId: string): Feed<Message> {
  const param = { id: serverId, cid: channelId };
  return new Feed<Message>(
    {
      page: (query) => send(api.servers[":id"].channels[":cid"].messages.$get({ param, query })),
      post: (content) => send(api.servers[":id"].channels[":cid"].messages.$post({ param, json: { content } })),
    },
    me,
  );
}

export function dmFeed(conversationId: string): Feed<DmMessage> {
  const param = { id: conversationId };
  return new Feed<DmMessage>(
    {
      page: (query) => send(api.dms[":id"].messages.$get({ param, query })),
      post: (content) => send(api.dms[":id"].messages.$post({ param, json: { content } })),
    },
    me,
  );
}

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
  pick: (event: ServerEvent) => M | undefined,
  channelId?: string,
): void {
  $effect(() => untrack(() => {
    void feed.load();
    const realtime = live.realtime;
    const release = channelId ? realtime.subscribe(channelId) : () => {};
    const stopEvents = realtime.onEvent((event) => {
      const message = pick(event);
      if (message) feed.receive(message);
    });
    const stopOpen = channelId
      ? realtime.onFrame((frame) => frame.type === "subscribed" && frame.channelId === channelId && void feed.catchUp())
      : realtime.onOpen(({ reconnected }) => reconnected && void feed.catchUp());
    return () => {
      release();
      stopEvents();
      stopOpen();
    };
  }));
}
