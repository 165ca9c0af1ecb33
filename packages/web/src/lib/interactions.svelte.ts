/**
 * What one does to the messages of the conversation on screen beyond writing and editing:
 * replying to one (and jumping to the one a reply answers), reacting, and the files picked for
 * the next message. One per conversation, handed to its rows through a Svelte context.
 */
import { getContext, setContext, tick, untrack } from "svelte";
import type { User } from "@agorusta/core/views";
import type { ServerEvent } from "@agorusta/core/realtime";
import { live } from "./live.svelte.ts";
import type { Feed } from "./feed.svelte.ts";
import type { Reaction, ReplyRef } from "./media.ts";
import type { TimelineMessage } from "./timeline.ts";
import { toasts } from "./toasts.svelte.ts";
import { Uploads, type RequestUpload } from "./uploadQueue.svelte.ts";
import { isApiError } from "./api.ts";
import { reactorsLine, rgiEmoji, withReaction } from "./reactions.ts";

/** A reaction event of this conversation (`reaction_added`, `dm_reaction_removed`, …). */
export interface ReactionChange {
  messageId: string;
  emoji: string;
  userId: string;
  count: number;
  added: boolean;
}

/** The conversation's routes for reactions and uploads (a channel's or a DM's). */
export interface MediaSource {
  react(messageId: string, emoji: string, on: boolean): Promise<void>;
  /** Who reacted with `emoji`, the first page (25). */
  reactors(messageId: string, emoji: string): Promise<User[]>;
  requestUpload: RequestUpload;
}

/** What a conversation needs for reactions and uploads: its routes, and which events are its reactions. */
export interface ConversationMedia {
  source: MediaSource;
  reactions: (event: ServerEvent) => ReactionChange | undefined;
}

export class Interactions<M extends TimelineMessage> {
  /** The message the next one answers. */
  replying = $state.raw<M | null>(null);
  /** The message whose emoji picker is open, and the button it opened from. */
  picking = $state.raw<{ messageId: string; anchor: HTMLElement } | null>(null);
  /** The message just jumped to, drawn highlighted for a moment. */
  highlighted = $state<string | null>(null);
  readonly uploads: Uploads;
  /**
   * Whether the person may add a new reaction, and reply (send), here now: a control they may not
   * use is not shown (a timeout, a read-only channel, no ADD_REACTIONS). A DM allows both.
   */
  may = { react: (): boolean => true, reply: (): boolean => true };
  #feed: Feed<M>;
  #source: MediaSource;
  #me: () => User | null;
  #highlightTimer: ReturnType<typeof setTimeout> | undefined;

  #home: string;

  /** `home`: the conversation's own path (`/dms/<id>`), which a message link opens. */
  constructor(feed: Feed<M>, source: MediaSource, me: () => User | null, home: string) {
    this.#feed = feed;
    this.#source = source;
    this.#me = me;
    this.#home = home;
    this.uploads = new Uploads(source.requestUpload);
  }

  reply(message: M): void {
    this.replying = message;
  }

  cancelReply(): void {
    this.replying = null;
  }

  /** What a reply being written shows of the message it answers, as the API will store it. */
  replyRef(message: M): ReplyRef {
    return { id: message.id, author: message.author, excerpt: firstGraphemes(message.content, 100) };
  }

  /**
   * The address that opens this conversation at a message: its page, and a fragment that
   * scrolls to the message once it is loaded (`Conversation` follows it).
   */
  messageLink(messageId: string): string {
    return new URL(`${this.#home}#${messageAnchor(messageId)}`, location.origin).href;
  }

  openPicker(messageId: string, anchor: HTMLElement): void {
    this.picking = { messageId, anchor };
  }

  closePicker(): void {
    this.picking = null;
  }

  /** An emoji picked for a message: one's reaction, unless it is there already. */
  react(messageId: string, picked: string): Promise<void> {
    const emoji = rgiEmoji(picked);
    const mine = this.#message(messageId)?.reactions?.some((r) => r.emoji === emoji && r.me);
    return mine ? Promise.resolve() : this.toggle(messageId, emoji);
  }

  /** Adds one's reaction, or takes it back if it is there; shown at once, undone if refused. */
  async toggle(messageId: string, emoji: string): Promise<void> {
    const me = this.#me();
    const message = this.#message(messageId);
    if (!me || !message) return;
    const had = (message.reactions ?? []).find((r) => r.emoji === emoji);
    const on = !had?.me;
    const before = message.reactions ?? [];
    this.#setReactions(messageId, withReaction(before, emoji, on, (had?.count ?? 0) + (on ? 1 : -1), true));
    try {
      await this.#source.react(messageId, emoji, on);
    } catch (e) {
      // Put back what the others' events have left of it, without this change.
      const now = this.#message(messageId)?.reactions ?? [];
      const count = (now.find((r) => r.emoji === emoji)?.count ?? 0) + (on ? -1 : 1);
      this.#setReactions(messageId, withReaction(now, emoji, !on, count, true));
      toasts.show(isApiError(e) ? e.message : "The reaction could not be saved.");
    }
  }

  /** What the socket says: the count is the truth; `me` changes only for one's own reactions. */
  apply(change: ReactionChange): void {
    const message = this.#message(change.messageId);
    if (!message) return;
    const mine = change.userId === this.#me()?.id;
    this.#setReactions(change.messageId, withReaction(message.reactions ?? [], change.emoji, change.added, change.count, mine));
  }

  /** "You, alice and 3 others reacted with 👍". */
  async who(messageId: string, emoji: string): Promise<string> {
    const users = await this.#source.reactors(messageId, emoji);
    const total = this.#message(messageId)?.reactions?.find((r) => r.emoji === emoji)?.count ?? users.length;
    return reactorsLine(users, total, this.#me()?.id, emoji);
  }

  /**
   * Scrolls to the message a reply answers (or a message link or a search hit names): one not
   * loaded is opened with the page around it (`around=`), however far up it is; the history
   * then loads both ways from there. Not found there: it was deleted.
   */
  async jumpTo(messageId: string, missing = "The original message was deleted."): Promise<void> {
    if (!this.#message(messageId) && !(await this.#feed.loadAround(messageId))) {
      toasts.show(missing);
      return;
    }
    await tick();
    const row = document.querySelector<HTMLElement>(`li[data-message-id="${CSS.escape(messageId)}"]`);
    if (!row) {
      toasts.show(this.#message(messageId) ? "That message could not be shown." : missing);
      return;
    }
    // After the list has put older pages above and kept its place (its own next frame).
    await new Promise((r) => requestAnimationFrame(r));
    row.scrollIntoView({ block: "center" });
    this.highlighted = messageId;
    clearTimeout(this.#highlightTimer);
    this.#highlightTimer = setTimeout(() => (this.highlighted = null), 2000);
  }

  #message(id: string): M | undefined {
    return this.#feed.messages.find((m) => m.id === id);
  }

  #setReactions(id: string, reactions: Reaction[]) {
    const message = this.#message(id);
    if (message) this.#feed.apply({ type: "updated", message: { ...message, reactions } });
  }
}

/** A message's fragment in a link (`#message-<id>`), and its row's `id`. */
export const messageAnchor = (messageId: string) => `message-${messageId}`;

/** The message a fragment names (`#message-<id>`), if it names one. */
export const anchoredMessage = (hash: string): string | null => /^#message-([\w-]+)$/.exec(hash)?.[1] ?? null;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const firstGraphemes = (text: string, n: number) => Array.from(graphemes.segment(text), (s) => s.segment).slice(0, n).join("");

/** Call during component initialisation: the conversation's reaction events, for the component's life. */
export function followReactions<M extends TimelineMessage>(
  interactions: Interactions<M>,
  reactions: (event: ServerEvent) => ReactionChange | undefined,
): void {
  $effect(() =>
    untrack(() =>
      live.realtime.onEvent((event) => {
        const change = reactions(event);
        if (change) interactions.apply(change);
      }),
    ),
  );
}

const KEY = Symbol("interactions");

export function provideInteractions<M extends TimelineMessage>(interactions: Interactions<M>): void {
  setContext(KEY, interactions);
}

/** The conversation's interactions, for a row inside it (none outside one). */
export function interactions<M extends TimelineMessage>(): Interactions<M> | undefined {
  return getContext<Interactions<M> | undefined>(KEY);
}
