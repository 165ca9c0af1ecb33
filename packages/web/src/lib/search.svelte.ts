/**
 * Message search in the web app (api.md "Search"): one search at a time, the server's or the
 * DMs' (its scope), its pages of hits and the panel showing them. It lives outside the views,
 * so opening a hit in another channel (a new channel view) keeps the results beside it.
 */
import type { DmMessage, Message } from "@agorusta/core/views";
import { isApiError } from "./api.ts";
import type { SearchParams } from "./searchQuery.ts";
import { api, send } from "./session.svelte.ts";

export type Hit = Message | DmMessage;

/** A page of hits, newest first, and the cursor of the next (null: no more). */
export type HitPage = { messages: Hit[]; cursor: string | null };

/** Where a search looks: a server's channels, or the caller's DMs. */
export interface SearchScope {
  /** `server:<id>` or `dms`: a search of another scope is a new search. */
  key: string;
  fetch(params: SearchParams, cursor: string | null): Promise<HitPage>;
}

const LIMIT = "25";

/** The route's query: `place` is the channel (a server's search) or the conversation (the DMs'). */
function query<K extends "channelId" | "conversationId">(params: SearchParams, place: K, cursor: string | null) {
  const { place: id, ...rest } = params;
  return { ...rest, ...(id ? { [place]: id } : {}), ...(cursor ? { cursor } : {}), limit: LIMIT } as Omit<SearchParams, "place"> & Partial<Record<K, string>> & { limit: string; cursor?: string };
}

export const serverScope = (serverId: string): SearchScope => ({
  key: `server:${serverId}`,
  fetch: (params, cursor) => send(api.servers[":id"].messages.search.$get({ param: { id: serverId }, query: query(params, "channelId", cursor) })),
});

export const dmScope: SearchScope = {
  key: "dms",
  fetch: (params, cursor) => send(api.dms.search.$get({ query: query(params, "conversationId", cursor) })),
};

class MessageSearch {
  /** The scope of the search shown (null: none yet). */
  scope = $state<string | null>(null);
  /** The results panel is open. */
  open = $state(false);
  /** The box's text of the search shown, kept for the box of the next view of its scope. */
  typed = $state("");
  /** The words searched for, to highlight in the hits. */
  words = $state<string | undefined>(undefined);
  hits = $state.raw<Hit[]>([]);
  status = $state<"idle" | "loading" | "ready" | "error">("idle");
  /** More pages: `done` once the cursor says there are none. */
  more = $state<"idle" | "loading" | "error" | "done">("done");
  error = $state<string | null>(null);
  /** The error is the API's or the network's (worth trying again), not the box's. */
  retriable = $state(false);
  #source: SearchScope | null = null;
  #params: SearchParams = {};
  #cursor: string | null = null;
  /** Each search's number: an answer to an older one is dropped. */
  #run = 0;

  /** A new search: the panel opens on its first page. */
  async run(scope: SearchScope, params: SearchParams, typed = this.typed): Promise<void> {
    const run = ++this.#run;
    this.typed = typed;
    this.#source = scope;
    this.#params = params;
    this.scope = scope.key;
    this.words = params.q;
    this.open = true;
    this.hits = [];
    this.status = "loading";
    this.more = "done";
    this.error = null;
    try {
      const page = await scope.fetch(params, null);
      if (run !== this.#run) return;
      this.#take(page);
      this.status = "ready";
    } catch (e) {
      if (run !== this.#run) return;
      this.error = isApiError(e) ? e.message : "Search is not available right now.";
      this.retriable = !isApiError(e) || e.status === 0 || e.status >= 500;
      this.status = "error";
    }
  }

  /** What the box says cannot be searched (a name that is nobody's): shown in the panel. */
  refuse(scope: SearchScope, error: string, typed: string): void {
    this.#run++;
    this.typed = typed;
    this.#source = null;
    this.scope = scope.key;
    this.open = true;
    this.hits = [];
    this.more = "done";
    this.error = error;
    this.retriable = false;
    this.status = "error";
  }

  /** The next page, after the last hit. */
  async loadMore(): Promise<void> {
    if (this.status !== "ready" || this.more === "loading" || this.more === "done" || !this.#source) return;
    const run = this.#run;
    this.more = "loading";
    try {
      const page = await this.#source.fetch(this.#params, this.#cursor);
      if (run !== this.#run) return;
      this.#take(page);
    } catch {
      if (run === this.#run) this.more = "error";
    }
  }

  /** The same search again (after an error). */
  retry(): Promise<void> {
    return this.#source ? this.run(this.#source, this.#params) : Promise.resolve();
  }

  close(): void {
    this.#run++;
    this.open = false;
  }

  #take(page: HitPage) {
    const seen = new Set(this.hits.map((h) => h.id));
    this.hits = [...this.hits, ...page.messages.filter((m) => !seen.has(m.id))];
    this.#cursor = page.cursor;
    this.more = page.cursor ? "idle" : "done";
  }
}

export const search = new MessageSearch();
