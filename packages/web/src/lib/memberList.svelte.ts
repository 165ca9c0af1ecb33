/**
 * The member list of the server on screen: loaded when first shown, page by page, and kept live
 * by `member_joined`, `member_left` and `presence` (which reach this tab while it is subscribed
 * to the server, which it is while the server is open).
 *
 * Presence tells the truth only if no change falls between the list and the events: a page is
 * asked for once the connection's subscription to the server holds (a change after the page's
 * read then comes as an event), and the events that come while a page is on its way are applied
 * on top of it, in order, never dropped (docs/decisions.md, "Unread and presence tell the truth").
 */
import { untrack } from "svelte";
import type { Member } from "@agorusta/core/views";
import type { ServerEvent } from "@agorusta/core/realtime";
import { isApiError } from "./api.ts";
import { live } from "./live.svelte.ts";
import { online } from "./online.svelte.ts";
import { MEMBERS_PAGE, placeMember, withoutMember, withPresence } from "./roster.ts";
import { api, send } from "./session.svelte.ts";

export class Roster {
  readonly serverId: string;
  members = $state.raw<Member[]>([]);
  status = $state<"idle" | "loading" | "ready" | "error">("idle");
  error = $state("");
  /** Further pages: `done` once the last member is loaded. */
  more = $state<"idle" | "loading" | "error" | "done">("idle");

  /** Resolves once the connection hears this server's events (socketClient.ts `whenHeld`). */
  #heard: () => Promise<void>;
  /** Events that came while a page was on its way (null: none is), applied once it is shown. */
  #meanwhile: ServerEvent[] | null = null;
  /** Pages asked for and not answered yet. */
  #asking = 0;

  constructor(serverId: string, heard: () => Promise<void> = async () => {}) {
    this.serverId = serverId;
    this.#heard = heard;
  }

  /** The first page; again after a reconnect, since presence may have changed meanwhile. */
  load = async (): Promise<void> => {
    if (this.status === "idle" || this.status === "error") this.status = "loading";
    await this.#heard();
    try {
      const page = await this.#asked(() => this.#page());
      this.members = page;
      this.more = page.length < MEMBERS_PAGE ? "done" : "idle";
      this.status = "ready";
    } catch (e) {
      this.error = isApiError(e) ? e.message : "Could not load the members.";
      if (this.status === "loading") this.status = "error";
    } finally {
      this.#settle();
    }
  };

  loadMore = async (): Promise<void> => {
    const last = this.members.at(-1);
    if (this.status !== "ready" || this.more === "loading" || this.more === "done" || !last) return;
    this.more = "loading";
    try {
      const page = await this.#asked(() => this.#page(last.user.id));
      this.members = [...this.members, ...page.filter((m) => !this.members.some((x) => x.user.id === m.user.id))];
      this.more = page.length < MEMBERS_PAGE ? "done" : "idle";
    } catch {
      this.more = "error";
    } finally {
      this.#settle();
    }
  };

  /** The owner removes someone; throws an `ApiError` to show. */
  async kick(userId: string): Promise<void> {
    await send(api.servers[":id"].members[":userId"].$delete({ param: { id: this.serverId, userId } }));
    this.members = withoutMember(this.members, userId);
  }

  /** Bans someone (api.md "Sessions and safety": the reason is kept for the ban list); throws an `ApiError` to show. */
  async ban(userId: string, reason: string | null): Promise<void> {
    await send(api.servers[":id"].bans[":userId"].$put({ param: { id: this.serverId, userId }, json: reason ? { reason } : {} }));
    this.members = withoutMember(this.members, userId);
  }

  /** A member's roles or timeout changed (an event, or this tab's own request): their row shows it; presence stays ours. */
  update(member: Member): void {
    this.members = this.members.map((m) => (m.user.id === member.user.id ? { ...member, online: m.online } : m));
  }

  apply(e: ServerEvent): void {
    if (this.#meanwhile) return void this.#meanwhile.push(e);
    this.#applyNow(e);
  }

  /** While a page is on its way, events wait for it: one that changed what the page read is newer than the page. */
  async #asked<T>(ask: () => Promise<T>): Promise<T> {
    this.#asking++;
    this.#meanwhile ??= [];
    return ask();
  }

  /** A page was answered (or failed): once none is on its way, what came meanwhile applies on top. */
  #settle(): void {
    if (--this.#asking > 0) return;
    const meanwhile = this.#meanwhile ?? [];
    this.#meanwhile = null;
    for (const e of meanwhile) this.#applyNow(e);
  }

  #applyNow(e: ServerEvent): void {
    if (this.status !== "ready") return;
    if (e.type === "presence") this.members = withPresence(this.members, e.userId, e.online);
    else if (e.type === "member_joined" && e.serverId === this.serverId) {
      this.members = placeMember(this.members, e.member, this.more === "done");
    } else if (e.type === "member_left" && e.serverId === this.serverId) this.members = withoutMember(this.members, e.userId);
    else if (e.type === "member_updated" && e.serverId === this.serverId) this.update(e.member);
  }

  #page(after?: string): Promise<Member[]> {
    const query = after ? { limit: String(MEMBERS_PAGE), after } : { limit: String(MEMBERS_PAGE) };
    return send(api.servers[":id"].members.$get({ param: { id: this.serverId }, query }));
  }
}

class Members {
  roster = $state<Roster | null>(null);

  /** While a server is open (its layout calls this); the returned function lets it go. */
  open(serverId: string): () => void {
    const realtime = live.realtime;
    // The server's own subscription (also held by the rail's watch while it lists the server):
    // its presence events, and when it holds, the moment the list may be read.
    const release = realtime.subscribeServer(serverId);
    // Offline, no subscription can hold: the list is read at once (the answer kept for offline),
    // and read again once the connection opens.
    let unheld = false;
    const heard = async () => {
      if (online.current) return realtime.whenHeld(serverId);
      unheld = true;
    };
    const roster = new Roster(serverId, heard);
    this.roster = roster;
    const stopEvents = realtime.onEvent((e) => roster.apply(e));
    const stopOpen = realtime.onOpen(({ reconnected }) => {
      if ((!reconnected && !unheld) || roster.status !== "ready") return;
      unheld = false;
      void roster.load();
    });
    return () => {
      stopEvents();
      stopOpen();
      release();
      if (this.roster === roster) this.roster = null;
    };
  }
}

export const members = new Members();

/**
 * Call during component initialisation (a server's layout): follows that server's roster while
 * `serverId()` is open, from when the shell has opened the connection (its effect runs after ours).
 */
export function followMembers(serverId: () => string): void {
  const connected = $derived(live.state !== "idle");
  $effect(() => {
    const id = serverId();
    if (connected) return untrack(() => members.open(id));
  });
}
