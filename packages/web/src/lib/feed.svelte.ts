/**
 * One conversation's messages (a channel or a DM), as the UI needs them: the newest page first,
 * older pages on demand, live messages merged in by id, and the person's own messages shown at
 * once while they are being sent ("sending…", or "failed" with a retry).
 */
import type { User } from "@agorusta/core/views";
import { isApiError } from "./api.ts";
import { mergeById, type TimelineMessage } from "./timeline.ts";

export const PAGE_SIZE = 50;

export interface FeedSource<M extends TimelineMessage> {
  /** Oldest first: the newest `limit` messages older than `before`. */
  page(query: { limit: string; before?: string }): Promise<M[]>;
  post(content: string): Promise<M>;
}

export interface PendingMessage extends TimelineMessage {
  status: "sending" | "failed";
  error: string | null;
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
        page = await this.#source.page({ limit: String(PAGE_SIZE) });
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
      const page = await this.#source.page({ limit: String(PAGE_SIZE), before: oldest.id });
      this.messages = mergeById(this.messages, page);
      this.older = page.length < PAGE_SIZE ? "done" : "idle";
    } catch {
      this.older = "error";
    }
  }

  /**
   * After a (re)subscription or a reconnect: fetch the newest page again. If it does not reach back to what is shown,
   * more was missed than one page holds, so the list restarts from it rather than keep a hole.
   */
  async catchUp(): Promise<void> {
    // Asked while the first page is on its way: that page may predate the news, so fetch it again.
    if (this.status === "loading") return void (this.#stale = true);
    if (this.status === "error") return this.load();
    try {
      const page = await this.#source.page({ limit: String(PAGE_SIZE) });
      const newest = this.messages.at(-1);
      const gap = page.length === PAGE_SIZE && newest !== undefined && page[0]!.id > newest.id;
      this.messages = gap ? page : mergeById(this.messages, page);
      if (gap) this.older = "idle";
    } catch {
      // The next reconnect or a reload tries again; what is shown stays.
    }
  }

  /** A message from the socket. */
  receive(incoming: M): void {
    if (this.messages.some((m) => m.id === incoming.id)) return;
    // The socket may beat the POST's answer: the echo of one's own message replaces its placeholder.
    const echo = this.pending.findIndex(
      (p) => p.status === "sending" && p.authorId === incoming.authorId && p.content.trim() === incoming.content.trim(),
    );
    if (echo >= 0) this.pending = this.pending.filter((_, i) => i !== echo);
    this.messages = mergeById(this.messages, [incoming]);
  }

  /** Sends at once and shows the message as "sending" until the API has stored it. */
  send(content: string): void {
    const me = this.#me();
    const placeholder: PendingMessage = {
      id: `local-${++this.#localIds}`,
      authorId: me.id,
      author: me,
      content,
      createdAt: new Date().toISOString(),
      status: "sending",
      error: null,
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
      const stored = await this.#source.post(placeholder.content);
      this.pending = this.pending.filter((p) => p.id !== placeholder.id);
      this.messages = mergeById(this.messages, [stored]);
    } catch (e) {
      this.pending = this.pending.map((p) =>
        p.id === placeholder.id ? { ...p, status: "failed" as const, error: message(e) } : p,
      );
    }
  }
}

const message = (e: unknown) => (isApiError(e) ? e.message : "Something went wrong.");
