/**
 * One conversation's messages (a channel or a DM), as the UI needs them: the newest page first,
 * older pages on demand, live messages merged in by id, and the person's own messages shown at
 * once while they are being sent ("sending…", or "failed" with a retry).
 */
import type { User } from "@agorusta/core/views";
import { isApiError } from "./api.ts";
import type { ReplyRef, SendExtras } from "./media.ts";
import { mergeById, type TimelineMessage } from "./timeline.ts";

const PAGE_SIZE = 50;

export interface FeedSource<M extends TimelineMessage> {
  /** Oldest first: the newest `limit` messages older than `before`. */
  page(query: { limit: string; before?: string }): Promise<M[]>;
  post(content: string, extras: SendExtras): Promise<M>;
  edit(messageId: string, content: string): Promise<M>;
  remove(messageId: string): Promise<void>;
}

/** What the socket says happened to a conversation's messages. */
export type FeedChange<M> = { type: "added" | "updated"; message: M } | { type: "deleted"; messageId: string };

export interface PendingMessage extends TimelineMessage {
  status: "sending" | "failed";
  error: string | null;
  /** The files it carries (sent again on retry). */
  uploads: string[];
}

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
  #stale = false;
  /** Deleted while shown: a page fetched before the deletion must not bring them back. */
  #deleted = new Set<string>();

  constructor(source: FeedSource<M>, me: () => User) {
    this.#source = source;
    this.#me = me;
  }

  async load(): Promise<void> {
    this.status = "loading";
    this.error = null;
    try {
      let page: M[];
      do {
        this.#stale = false;
        page = await this.#page({ limit: String(PAGE_SIZE) });
        this.messages = mergeById(page, this.messages);
      } while (this.#stale);
      this.older = page.length < PAGE_SIZE ? "done" : "idle";
      this.status = "ready";
    } catch (e) {
      this.error = message(e);
      this.status = "error";
    }
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

  /**
   * After a (re)subscription or a reconnect: fetch the newest page again. It is the truth for the
   * span it covers: new messages join, edited ones change, and ones shown but missing from it were
   * deleted meanwhile. If it does not reach back to what is shown, more was missed than one page
   * holds, so the list restarts from it rather than keep a hole (older pages load as one scrolls).
   */
  async catchUp(): Promise<void> {
    // Asked while the first page is on its way: that page may predate the news, so fetch it again.
    if (this.status === "loading") return void (this.#stale = true);
    if (this.status === "error") return this.load();
    const shownBefore = new Set(this.messages.map((m) => m.id));
    try {
      const page = await this.#page({ limit: String(PAGE_SIZE) });
      const newest = this.messages.at(-1);
      const gap = page.length === PAGE_SIZE && newest !== undefined && page[0]!.id > newest.id;
      if (gap) {
        this.messages = page;
        this.older = "idle";
        return;
      }
      const inPage = new Set(page.map((m) => m.id));
      const from = page.length === PAGE_SIZE ? page[0]!.id : "";
      const to = page.at(-1)?.id;
      // Messages that arrived live while the page was on its way are not judged by it.
      const gone = (id: string) => shownBefore.has(id) && id >= from && (to === undefined || id <= to) && !inPage.has(id);
      this.messages = mergeById(this.messages.filter((m) => !gone(m.id)), page);
    } catch {
      // The next reconnect or a reload tries again; what is shown stays.
    }
  }

  /** What the socket says happened. */
  apply(change: FeedChange<M>): void {
    if (change.type === "deleted") this.#forget(change.messageId);
    else if (change.type === "added") this.receive(change.message);
    else this.#update(change.message);
  }

  /** Its author changes a message; the stored version replaces the shown one. Throws an `ApiError` to show. */
  async edit(messageId: string, content: string): Promise<void> {
    this.#update(await this.#source.edit(messageId, content));
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

  /** A message from the socket. */
  receive(incoming: M): void {
    if (this.#deleted.has(incoming.id) || this.messages.some((m) => m.id === incoming.id)) return;
    // The socket may beat the POST's answer: the echo of one's own message replaces its placeholder.
    const echo = this.pending.findIndex(
      (p) => p.status === "sending" && p.authorId === incoming.authorId && p.content.trim() === incoming.content.trim(),
    );
    if (echo >= 0) this.pending = this.pending.filter((_, i) => i !== echo);
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
      replyTo: extras.replyTo ?? null,
      uploads: extras.attachments ?? [],
    };
    this.pending = [...this.pending, placeholder];
    void this.#deliver(placeholder);
  }

  retry(id: string): void {
    const failed = this.pending.find((p) => p.id === id);
    if (!failed) return;
    const again = { ...failed, status: "sending" as const, error: null };
    this.pending = this.pending.map((p) => (p.id === id ? again : p));
    void this.#deliver(again);
  }

  discard(id: string): void {
    this.pending = this.pending.filter((p) => p.id !== id);
  }

  async #deliver(placeholder: PendingMessage) {
    try {
      const extras: SendExtras = {};
      if (placeholder.replyTo) extras.replyTo = placeholder.replyTo.id;
      if (placeholder.uploads.length) extras.attachments = placeholder.uploads;
      const stored = await this.#source.post(placeholder.content, extras);
      this.pending = this.pending.filter((p) => p.id !== placeholder.id);
      if (!this.#deleted.has(stored.id)) this.messages = mergeById(this.messages, [stored]);
    } catch (e) {
      this.pending = this.pending.map((p) =>
        p.id === placeholder.id ? { ...p, status: "failed" as const, error: message(e) } : p,
      );
    }
  }

  #update(message: M) {
    if (this.messages.some((m) => m.id === message.id)) this.messages = mergeById(this.messages, [message]);
  }

  #forget(messageId: string) {
    this.#deleted.add(messageId);
    this.messages = this.messages.filter((m) => m.id !== messageId);
  }

  async #page(query: { limit: string; before?: string }): Promise<M[]> {
    const page = await this.#source.page(query);
    return this.#deleted.size ? page.filter((m) => !this.#deleted.has(m.id)) : page;
  }
}

const message = (e: unknown) => (isApiError(e) ? e.message : "Something went wrong.");
