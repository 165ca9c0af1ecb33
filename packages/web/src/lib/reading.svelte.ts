/**
 * Reading the open conversation: while the tab is visible, the window focused and the reader is
 * at the newest message, what is on screen is read (on every device). Where the new messages
 * began when the conversation was opened — or when the reader last looked away — is remembered,
 * for the "New messages" divider and the "Jump to first unread" control; what arrives while the
 * reader watches is seen as it comes, and gets no divider.
 */
import { untrack } from "svelte";
import type { Feed } from "./feed.svelte.ts";
import { afterWatched } from "./messageList/divider.ts";
import { readStates, targetId, type ReadTarget } from "./readStates.svelte.ts";
import { session } from "./session.svelte.ts";
import type { TimelineMessage } from "./timeline.ts";

/**
 * Whether the person is looking at the page: the tab visible and the window focused (a window
 * behind another, or a tab in the background, is not being read).
 */
class PageAttention {
  visible = $state(typeof document === "undefined" || document.visibilityState === "visible");
  focused = $state(typeof document === "undefined" || document.hasFocus());

  constructor() {
    if (typeof document === "undefined") return;
    document.addEventListener("visibilitychange", () => (this.visible = document.visibilityState === "visible"));
    // The window's own focus and blur (an element's do not bubble up to it).
    addEventListener("focus", () => (this.focused = true));
    addEventListener("blur", () => (this.focused = document.hasFocus()));
  }

  get attending(): boolean {
    return this.visible && this.focused;
  }
}

export const pageAttention = new PageAttention();

export class Reading<M extends TimelineMessage> {
  /** Messages after this one were new to the reader (undefined: read states not known yet; null: never read here). */
  after = $state<string | null | undefined>(undefined);
  /** The list is scrolled to its newest message (MessageList says so). */
  atBottom = $state(true);
  readonly id: string;
  #feed: Feed<M>;

  /** The first new message from someone else, if it is loaded; where the divider goes. */
  readonly firstUnread = $derived.by(() => {
    const after = this.after;
    const feed = this.#feed;
    if (after === undefined) return null;
    const oldest = feed.messages[0];
    // Never read here (just joined): all is new, marked only if the whole history is loaded.
    // Otherwise, if what follows `after` directly is not loaded, the first unread is further up.
    if (!oldest || (feed.older !== "done" && (after === null || oldest.id > after))) return null;
    return feed.messages.find((m) => (after === null || m.id > after) && m.authorId !== session.me?.id)?.id ?? null;
  });

  /** New messages exist above what is loaded: the jump control loads its way up to them. */
  readonly unreadAbove = $derived.by(() => {
    const after = this.after;
    const oldest = this.#feed.messages[0];
    return !!after && !!oldest && oldest.id > after && this.#feed.older !== "done";
  });

  /** Call during component initialisation (it sets up effects for the component's life). */
  constructor(target: ReadTarget, feed: Feed<M>) {
    this.id = targetId(target);
    this.#feed = feed;
    const id = this.id;

    // Where the new messages begin, once it is known.
    $effect(() => {
      if (readStates.status === "ready" && untrack(() => this.after) === undefined) {
        this.after = untrack(() => readStates.lastRead(id));
      }
    });
    // Looking away: what comes meanwhile gets a divider of its own on return.
    $effect(() => {
      if (!pageAttention.attending && readStates.status === "ready") untrack(() => (this.after = readStates.lastRead(id)));
    });
    // Watching the newest message as more arrive: they are seen, not new (no divider above them).
    // `seenTo`: the newest message while the reader watched ("" for none yet; undefined: not watching).
    // A moment off the bottom while the tab is attended (a new message lengthens the list before
    // the list scrolls to it, longer on a phone where it wraps) keeps `seenTo`: what came meanwhile
    // is seen once the list is back at the bottom. Only looking away forgets it. Watching counts
    // from the feed's load even before the read states are known (they are read once the socket's
    // subscriptions hold, issue 27 item 3): what came meanwhile was seen, and `after`, once known,
    // moves past it.
    let seenTo: string | undefined;
    $effect(() => {
      const newest = feed.messages.at(-1)?.id ?? "";
      const attended = feed.status === "ready" && pageAttention.attending;
      if (!attended) return void (seenTo = undefined);
      if (!this.atBottom) return;
      const after = this.after;
      untrack(() => {
        // Where the read position is not known yet, the watch began at `seenTo`: kept until it is.
        if (after === undefined) return void (seenTo ??= newest);
        if (seenTo !== undefined && newest > seenTo) {
          this.after = afterWatched({ after, firstUnread: this.firstUnread, unreadAbove: this.unreadAbove }, seenTo, newest);
        }
        seenTo = newest;
      });
    });
    // The loaded feed's newest message is the conversation's newest (a deletion moves it back).
    $effect(() => {
      if (feed.status === "ready" && feed.newer === "done") readStates.settleLatest(id, feed.messages.at(-1)?.id ?? null);
    });
    // What is on screen is read.
    $effect(() => {
      const newest = feed.messages.at(-1);
      if (feed.status !== "ready" || !newest || !pageAttention.attending || !this.atBottom) return;
      // Not before the divider's place is taken from the read state this would move.
      if (readStates.status !== "ready") return;
      untrack(() => readStates.markRead(target, newest.id));
    });
  }
}
