/**
 * The member list of the server on screen: loaded when first shown, page by page, and kept live
 * by `member_joined`, `member_left` and `presence` (which reach this tab while it is subscribed
 * to one of the server's channels, i.e. while the server is on screen).
 */
import { untrack } from "svelte";
import type { Member } from "@agorusta/core/views";
import type { ServerEvent } from "@agorusta/core/realtime";
import { isApiError } from "./api.ts";
import { live } from "./live.svelte.ts";
import { MEMBERS_PAGE, placeMember, withoutMember, withPresence } from "./roster.ts";
import { api, send } from "./session.svelte.ts";

export class Roster {
  readonly serverId: string;
  members = $state.raw<Member[]>([]);
  status = $state<"idle" | "loading" | "ready" | "error">("idle");
  error = $state("");
  /** Further pages: `done` once the last member is loaded. */
  more = $state<"idle" | "loading" | "error" | "done">("idle");

  constructor(serverId: string) {
    this.serverId = serverId;
  }

  /** The first page; again after a reconnect, since presence may have changed meanwhile. */
  load = async (): Promise<void> => {
    if (this.status === "idle" || this.status === "error") this.status = "loading";
    try {
      const page = await this.#page();
      this.members = page;
      this.more = page.length < MEMBERS_PAGE ? "done" : "idle";
      this.status = "ready";
    } catch (e) {
      this.error = isApiError(e) ? e.message : "Could not load the members.";
      if (this.status === "loading") this.status = "error";
    }
  };

  loadMore = async (): Promise<void> => {
    const last = this.members.at(-1);
    if (this.status !== "ready" || this.more === "loading" || this.more === "done" || !last) return;
    this.more = "loading";
    try {
      const page = await this.#page(last.user.id);
      this.members = [...this.members, ...page.filter((m) => !this.members.some((x) => x.user.id === m.user.id))];
      this.more = page.length < MEMBERS_PAGE ? "done" : "idle";
    } catch {
      this.more = "error";
    }
  };

  /** The owner removes someone; throws an `ApiError` to show. */
  async kick(userId: string): Promise<void> {
    await send(api.servers[":id"].members[":userId"].$delete({ param: { id: this.serverId, userId } }));
    this.members = withoutMember(this.members, userId);
  }

  /** A member's roles or timeout changed (an event, or this tab's own request): their row shows it; presence stays ours. */
  update(member: Member): void {
    this.members = this.members.map((m) => (m.user.id === member.user.id ? { ...member, online: m.online } : m));
  }

  apply(e: ServerEvent): void {
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
    const roster = new Roster(serverId);
    this.roster = roster;
    const realtime = live.realtime;
    const stopEvents = realtime.onEvent((e) => roster.apply(e));
    const stopOpen = realtime.onOpen(({ reconnected }) => reconnected && roster.status === "ready" && void roster.load());
    return () => {
      stopEvents();
      stopOpen();
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
