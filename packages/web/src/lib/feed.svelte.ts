/**
 * One conversation's messages (a channel or a DM), as the UI needs them: the newest page first,
 * older pages on demand, live messages merged in by id, and the person's own messages shown at
 * once while they are being sent ("sending…", or "failed" with a retry).
 *
 * It never misses a change (api.md "Change feeds"): it keeps the cursor of the last change it
 * applied — the head's, taken before the first page, then each event's — and after a gap asks the
 * conversation's change feed for everything since. Every message it shows is kept at its highest
 * revision, so a change that comes twice, or late, changes nothing.
 */
import type { ChangesPage, User } from "@agorusta/core/views";
import { pageLimits } from "@agorusta/core/schemas";
import { isApiError } from "./api.ts";
import type { ReplyRef, SendExtras } from "./media.ts";
import { mergeById, withinLoaded, type TimelineMessage } from "./timeline.ts";

const PAGE_SIZE = 50;
/** The most changes one request asks for (the contract's maximum). */
const CHANGES_LIMIT = pageLimits.changes;

export interface FeedSource<M extends TimelineMessage> {
  /** Oldest first: the newest `limit` messages older than `before`. */
  page(query: { limit: string; before?: string }): Promise<M[]>;
  /** The changes after `since` (absent: none, and the head's cursor). */
  changes(query: { since?: string; limit: string }): Promise<ChangesPage<M>>;
  /** `nonce` makes a repeat of the same send store nothing new (api.md "Idempotent sends"). */
  post(content: string, nonce: string, extras: SendExtras): Promise<M>;
  edit(messageId: string, content: string): Promise<M>;
  remove(messageId: string): Promise<void>;
}

/** What the socket says happened to a conversation's messages, with the feed position right after it. */
export type FeedChange<M> = ({ type: "added" | "updated"; message: M } | { type: "deleted"; messageId: string }) & {
  cursor?: string;
};

export interface PendingMessage extends TimelineMessage {
  status: "sending" | "failed";
  error: string | null;
  nonce: string;
  /** It failed for want of a network or a server, not because the API refused it: worth sending again by itself. */
  retriable?: boolean;
  /** The files it carries (sent again on retry). */
  uploads: string[];
}

/** 22 characters of a random UUID, in the contract's nonce alphabet. */
export const newNonce = (): string => crypto.randomUUID().replaceAll("-", "").slice(0, 22);

export class Feed<M extends TimelineMessage> {
  messages = $state.raw<M[]>([]);
  pending = $state.raw<PendingMessage[]>([]);
  status = $state<"loading" | "ready" | "error">("loading");
  error = $state<string | null>(null);
  /** Older history: `done` once the first message of the conversation is loaded. */
  older = $state<"idle" | "loading" | "error" | "done">("idle");
  #source: FeedSource<M>;
  #me: () => User;
  #localIds = 0;
  /** The feed position up to which every change is applied; null until the first load took it. */
  #cursor: string | null = null;
  /** A catch-up asked for while loading or catching up: run (again) once that is over. */
  #again = false;
  #catching: Promise<void> | null = null;
  /** Deleted while shown: a page fetched before the deletion must not bring them back. */
  #deleted = new Set<string>();

  constructor(source: FeedSource<M>, me: () => User) {
    this.#source = source;
    this.#me = me;
  }

  /** The newest page, from the head's position taken first: nothing can fall between the two. */
  async load(): Promise<void> {
    this.status = "loading";
    this.error = null;
    try {
      const head = await this.#source.changes({ limit: "1" });
      const page = await this.#page({ limit: String(PAGE_SIZE) });
      this.#cursor = head.cursor;
      this.messages = mergeById(page, this.messages);
      this.older = page.length < PAGE_SIZE ? "done" : "idle";
      this.status = "ready";
    } catch (e) {
      this.error = message(e);
      this.status = "error";
      return;
    }
    if (this.#again) await this.catchUp();
  }

  async loadOlder(): Promise<void> {
    if (this.status !== "ready" || this.older === "loading" || this.older === "done") return;
    const oldest = this.messages[0];
    if (!oldest) return void (this.older = "done");
    this.older = "loading";
    try {
      const page = await this.#page({ limit: String(PAGE_SIZE), before: oldest.id });
      this.messages = mergeById(this.messages, page);
      this.older = page.length < PAGE_SIZE ? "done" : "idle";
    } catch {
      this.older = "error";
    }
  }

  /** Loads older pages until `reached` holds or the history ends (to jump to the first unread). */
  async loadOlderUntil(reached: () => boolean): Promise<void> {
    while (!reached() && this.status === "ready" && (this.older === "idle" || this.older === "loading")) {
      if (this.older === "loading") await new Promise((r) => setTimeout(r, 50));
      else await this.loadOlder();
    }
  }

  /**
   * After a (re)subscription or a reconnect: every change since the cursor, page after page, put
   * in place whatever its message's age — the reader's loaded history and place in it stay. A
   * cursor the feed no longer keeps (410) means starting again from the newest page.
   */
  catchUp(): Promise<void> {
    if (this.status === "error" && !this.#catching) return this.load();
    if (this.status === "loading" || this.#catching) {
      this.#again = true;
      return this.#catching ?? Promise.resolve();
    }
    this.#catching = this.#drain().finally(() => (this.#catching = null));
    return this.#catching;
  }

  async #drain(): Promise<void> {
    do {
      this.#again = false;
      let more = true;
      try {
        while (more) {
          const answer = await this.#source.changes({ since: this.#cursor!, limit: String(CHANGES_LIMIT) });
          for (const change of answer.changes) {
            if (change.type === "message_deleted") this.#forget(change.messageId);
            else this.#upsert(change.message);
          }
          this.#cursor = answer.cursor;
          more = answer.hasMore;
        }
      } catch (e) {
        if (isApiError(e) && e.status === 410) {
          this.messages = [];
          this.older = "idle";
          this.#catching = null;
          return this.load();
        }
        // The next reconnect tries again; what is shown stays.
        return;
      }
    } while (this.#again);
  }

  /** What the socket says happened. */
  apply(change: FeedChange<M>): void {
    if (change.type === "deleted") this.#forget(change.messageId);
    else if (change.type === "added") this.receive(change.message);
    else this.#upsert(change.message);
    if (change.cursor && this.#cursor !== null) this.#cursor = change.cursor;
  }

  /** Its author changes a message; the stored version replaces the shown one. Throws an `ApiError` to show. */
  async edit(messageId: string, content: string): Promise<void> {
    this.#upsert(await this.#source.edit(messageId, content));
  }

  /** Deletes a message for everyone. Throws an `ApiError` to show; one already gone counts as done. */
  async remove(messageId: string): Promise<void> {
    try {
      await this.#source.remove(messageId);
    } catch (e) {
      if (!(isApiError(e) && e.status === 404)) throw e;
    }
    this.#forget(messageId);
  }

  /** A new message from the socket: it is the newest, so it joins whatever is loaded. */
  receive(incoming: M): void {
    if (this.#deleted.has(incoming.id)) return;
    this.#settle(incoming);
    this.messages = mergeById(this.messages, [incoming]);
  }

  /** Sends at once and shows the message as "sending" until the API has stored it. */
  send(content: string, extras: { replyTo?: ReplyRef; attachments?: string[] } = {}): void {
    const me = this.#me();
    const placeholder: PendingMessage = {
      id: `local-${++this.#localIds}`,
      authorId: me.id,
      author: me,
      content,
      createdAt: new Date().toISOString(),
      status: "sending",
      error: null,
      nonce: newNonce(),
      replyTo: extras.replyTo ?? null,
      uploads: extras.attachments ?? [],
    };
    this.pending = [...this.pending, placeholder];
    void this.#deliver(placeholder);
  }

  /** Sends a failed message again, with its nonce: if the first try was stored after all, nothing doubles. */
  retry(id: string): void {
    const failed = this.pending.find((p) => p.id === id);
    if (!failed) return;
    const again = { ...failed, status: "sending" as const, error: null };
    this.pending = this.pending.map((p) => (p.id === id ? again : p));
    void this.#deliver(again);
  }

  /** The connection is back: what failed for want of one goes again (the nonce keeps it single). */
  resendFailed(): void {
    for (const p of this.pending) if (p.status === "failed" && p.retriable) this.retry(p.id);
  }

  discard(id: string): void {
    this.pending = this.pending.filter((p) => p.id !== id);
  }

  async #deliver(placeholder: PendingMessage) {
    try {
      const extras: SendExtras = {};
      if (placeholder.replyTo) extras.replyTo = placeholder.replyTo.id;
      if (placeholder.uploads.length) extras.attachments = placeholder.uploads;
      const stored = await this.#source.post(placeholder.content, placeholder.nonce, extras);
      this.pending = this.pending.filter((p) => p.id !== placeholder.id);
      if (!this.#deleted.has(stored.id)) this.messages = mergeById(this.messages, [stored]);
    } catch (e) {
      // Already stored (its echo came by the socket or the change feed): nothing failed.
      if (!this.pending.some((p) => p.id === placeholder.id)) return;
      this.pending = this.pending.map((p) =>
        p.id === placeholder.id ? { ...p, status: "failed" as const, error: message(e), retriable: isApiError(e) && (e.status === 0 || e.status >= 500) } : p,
      );
    }
  }

  /** The stored copy of one's own message replaces its placeholder: matched by nonce, never by text. */
  #settle(stored: M) {
    if (!stored.nonce || stored.authorId !== this.#me().id) return;
    if (this.pending.some((p) => p.nonce === stored.nonce)) this.pending = this.pending.filter((p) => p.nonce !== stored.nonce);
  }

  /**
   * A message's current state. Shown: the higher revision stays. Not shown: it joins if it falls
   * within what is loaded (or everything is); one older than the loaded history comes with its
   * page, so no hole opens in the list.
   */
  #upsert(incoming: M) {
    if (this.#deleted.has(incoming.id)) return;
    this.#settle(incoming);
    const within = withinLoaded(incoming.id, this.messages, this.older === "done");
    if (within || this.messages.some((m) => m.id === incoming.id)) this.messages = mergeById(this.messages, [incoming]);
  }

  #forget(messageId: string) {
    this.#deleted.add(messageId);
    if (this.messages.some((m) => m.id === messageId)) this.messages = this.messages.filter((m) => m.id !== messageId);
  }

  async #page(query: { limit: string; before?: string }): Promise<M[]> {
    const page = await this.#source.page(query);
    return this.#deleted.size ? page.filter((m) => !this.#deleted.has(m.id)) : page;
  }
}

const message = (e: unknown) => (isApiError(e) ? e.message : "Something went wrong.");
