/**
 * One conversation's messages (a channel or a DM), as the UI needs them: the newest page first,
 * older pages on demand, live messages merged in by id, and the person's own messages shown at
 * once while they are being sent ("sending…", or "failed" with a retry).
 *
 * It never misses a change (api.md "Change feeds"): it keeps the cursor of the last change it
 * applied — the head's, taken before the first page, then each event's — and after a gap asks the
 * conversation's change feed for everything since. Every message it shows is kept at its highest
 * revision, so a change that comes twice, or late, changes nothing.
 *
 * It can also be opened at any message (a search hit, a link, a reply far above): the page
 * around it (`around=`), older and newer pages as the reader scrolls either way, and the newest
 * page at once on "Jump to present". While the present is not loaded, live messages are not put
 * below the loaded page (that would open a hole); they come with the newer pages, and the
 * cursor stays where the loaded history knows everything, so reaching the present catches up
 * from there: nothing that came meanwhile is lost.
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
  /** Oldest first: the newest `limit` messages older than `before`, the oldest newer than `after`, or those `around` one. */
  page(query: PageQuery): Promise<M[]>;
  /**
   * The changes after `since` (absent: none, and the head's cursor); without `since`, `newest`
   * also brings the newest messages, read after the head (the first page and its position at once).
   */
  changes(query: { since?: string; limit?: string; newest?: string }): Promise<ChangesPage<M>>;
  /** `nonce` makes a repeat of the same send store nothing new (api.md "Idempotent sends"). */
  post(content: string, nonce: string, extras: SendExtras): Promise<M>;
  edit(messageId: string, content: string): Promise<M>;
  remove(messageId: string): Promise<void>;
}

/** What the socket says happened to a conversation's messages, with the feed position right after it. */
export type FeedChange<M> = ({ type: "added" | "updated"; message: M } | { type: "deleted"; messageId: string }) & {
  cursor?: string;
};

export type PageQuery = { limit: string; before?: string; after?: string; around?: string };

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
  /** Newer history: `done` while the newest message is loaded (the present), else pages to load below. */
  newer = $state<"idle" | "loading" | "error" | "done">("done");
  /** Messages that arrived live while the present was not loaded (they come with the newer pages). */
  behind = $state(0);
  #behind = new Set<string>();
  /** Grows with each load from scratch: a page asked for before one must not join what it loaded. */
  #epoch = 0;
  #opened = 0;
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

  /**
   * The newest page, read after the head's position (one request): nothing can fall between the two.
   * `fresh`: in place of what is loaded (back to the present from an old place), not merged with it.
   */
  load(fresh = false): Promise<void> {
    return this.#open({ limit: String(PAGE_SIZE) }, (page) => {
      this.messages = fresh ? page : mergeById(page, this.messages);
      this.older = page.length < PAGE_SIZE ? "done" : "idle";
      this.newer = "done";
    });
  }

  /** How many loads from scratch have put their page in: the list tells a new start from messages that came. */
  get opened(): number {
    return this.#opened;
  }

  /** Back to the newest messages, if an old place is loaded. */
  toPresent(): Promise<void> {
    return this.newer === "done" ? Promise.resolve() : this.load(true);
  }

  /**
   * The page around `messageId` in place of what is loaded (api.md "Search": `around=`). False if
   * the message is not in the conversation (any more): what was loaded stays, or the newest page
   * comes if nothing was.
   */
  async loadAround(messageId: string): Promise<boolean> {
    let found = true;
    await this.#open({ limit: String(PAGE_SIZE), around: messageId }, (page) => {
      const at = page.findIndex((m) => m.id === messageId);
      // The route gives the older side half the page, the target included (messages/history.ts).
      const older = Math.ceil(PAGE_SIZE / 2);
      this.messages = page;
      this.older = at < older ? "done" : "idle";
      this.newer = page.length - at - 1 < PAGE_SIZE - older ? "done" : "idle";
    }, (e) => {
      if (!(isApiError(e) && e.status === 404)) return false;
      found = false;
      return true;
    });
    if (!found) {
      if (this.messages.length) this.status = "ready";
      else await this.load();
    }
    return found;
  }

  /**
   * A load from scratch: the head's position, then the page `place` puts in (the newest page comes
   * with the head, in one request); `missing` may take an error as not a failure.
   */
  async #open(query: PageQuery, place: (page: M[]) => void, missing?: (e: unknown) => boolean): Promise<void> {
    const epoch = ++this.#epoch;
    this.status = "loading";
    this.error = null;
    try {
      const newest = !query.before && !query.after && !query.around;
      const head = await this.#source.changes(newest ? { newest: query.limit } : { limit: "1" });
      const page = head.messages ? this.#unlessDeleted(head.messages) : await this.#page(query);
      if (epoch !== this.#epoch) return;
      this.#cursor = head.cursor;
      this.#opened++;
      place(page);
      // Live messages left out while this loaded may be newer than its page: caught up from the head.
      if (this.#behind.size) this.#again = true;
      this.#behind.clear();
      this.behind = 0;
      this.status = "ready";
    } catch (e) {
      if (epoch !== this.#epoch || missing?.(e)) return;
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
    const epoch = this.#epoch;
    this.older = "loading";
    try {
      const page = await this.#page({ limit: String(PAGE_SIZE), before: oldest.id });
      if (epoch !== this.#epoch) return;
      this.messages = mergeById(this.messages, page);
      this.older = page.length < PAGE_SIZE ? "done" : "idle";
    } catch {
      if (epoch === this.#epoch) this.older = "error";
    }
  }

  /**
   * The next page below an old place. The last one reaches the present: then every change since
   * the cursor (kept from before, while live messages were left out) is caught up.
   */
  async loadNewer(): Promise<void> {
    if (this.status !== "ready" || this.newer === "loading" || this.newer === "done") return;
    const newest = this.messages.at(-1);
    if (!newest) return this.load(true);
    const epoch = this.#epoch;
    this.newer = "loading";
    try {
      const page = await this.#page({ limit: String(PAGE_SIZE), after: newest.id });
      if (epoch !== this.#epoch) return;
      this.messages = mergeById(this.messages, page);
      if (page.length >= PAGE_SIZE) return void (this.newer = "idle");
      this.newer = "done";
      this.#behind.clear();
      this.behind = 0;
      await this.catchUp();
    } catch {
      if (epoch === this.#epoch) this.newer = "error";
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
      // Away from the present, new messages are left out: the cursor stays for when it is reached.
      const epoch = this.#epoch;
      const present = this.newer === "done";
      let since = this.#cursor!;
      try {
        while (more) {
          const answer = await this.#source.changes({ since, limit: String(CHANGES_LIMIT) });
          if (epoch !== this.#epoch) return;
          for (const change of answer.changes) {
            if (change.type === "message_deleted") this.#forget(change.messageId);
            else this.#upsert(change.message);
          }
          since = answer.cursor;
          if (present && this.newer === "done") this.#cursor = since;
          more = answer.hasMore;
        }
      } catch (e) {
        if (isApiError(e) && e.status === 410) {
          this.#catching = null;
          return this.load(true);
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
    if (change.cursor && this.#cursor !== null && this.newer === "done") this.#cursor = change.cursor;
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

  /** A new message from the socket: it is the newest, so it joins what is loaded if that reaches the present. */
  receive(incoming: M): void {
    if (this.#deleted.has(incoming.id)) return;
    this.#settle(incoming);
    if (this.newer === "done") this.messages = mergeById(this.messages, [incoming]);
    else if (!this.#behind.has(incoming.id)) this.behind = this.#behind.add(incoming.id).size;
  }

  /** Sends at once and shows the message as "sending" until the API has stored it. */
  send(content: string, extras: { replyTo?: ReplyRef; attachments?: string[] } = {}): void {
    // What one sends is read below what came before it: back to the present for it.
    void this.toPresent();
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
      if (this.#deleted.has(stored.id)) return;
      if (this.newer === "done") this.messages = mergeById(this.messages, [stored]);
      else this.#behind.add(stored.id);
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
    const within = withinLoaded(incoming.id, this.messages, this.older === "done", this.newer === "done");
    if (within || this.messages.some((m) => m.id === incoming.id)) this.messages = mergeById(this.messages, [incoming]);
  }

  #forget(messageId: string) {
    this.#deleted.add(messageId);
    if (this.messages.some((m) => m.id === messageId)) this.messages = this.messages.filter((m) => m.id !== messageId);
  }

  async #page(query: PageQuery): Promise<M[]> {
    return this.#unlessDeleted(await this.#source.page(query));
  }

  #unlessDeleted(page: M[]): M[] {
    return this.#deleted.size ? page.filter((m) => !this.#deleted.has(m.id)) : page;
  }
}

const message = (e: unknown) => (isApiError(e) ? e.message : "Something went wrong.");
