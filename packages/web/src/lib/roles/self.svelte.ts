/**
 * One's own membership in a server (its roles and any timeout): what the hierarchy and the
 * timeout notice need and `ServerDetail` does not carry. Looked up in the member list when it is
 * loaded, else fetched page by page (the roster has no route for one member), and kept by
 * `member_updated` about oneself.
 */
import { SvelteMap } from "svelte/reactivity";
import type { Member } from "@agorusta/core/views";
import { pageLimits } from "@agorusta/core/schemas";
import { members } from "../memberList.svelte.ts";
import { api, send, session } from "../session.svelte.ts";

/** Enough pages for any server this app has seen; past them the hierarchy counts one as `@everyone` only. */
const MAX_PAGES = 50;

class Self {
  #known = new SvelteMap<string, Member>();
  #loading = new Map<string, Promise<Member | null>>();

  /** One's membership in `serverId`, if known (from the member list, an event, or `load`). */
  in(serverId: string): Member | null {
    const me = session.me?.id;
    const listed = members.roster?.serverId === serverId ? members.roster.members.find((m) => m.user.id === me) : undefined;
    return listed ?? this.#known.get(serverId) ?? null;
  }

  set(serverId: string, member: Member): void {
    this.#known.set(serverId, member);
  }

  load(serverId: string): Promise<Member | null> {
    const known = this.in(serverId);
    if (known) return Promise.resolve(known);
    const inFlight = this.#loading.get(serverId);
    if (inFlight) return inFlight;
    const loading = this.#find(serverId).finally(() => this.#loading.delete(serverId));
    this.#loading.set(serverId, loading);
    return loading;
  }

  async #find(serverId: string): Promise<Member | null> {
    const me = session.me?.id;
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const limit = String(pageLimits.members);
      const list = await send(api.servers[":id"].members.$get({ param: { id: serverId }, query: after ? { limit, after } : { limit } }));
      const found = list.find((m) => m.user.id === me);
      if (found) {
        this.#known.set(serverId, found);
        return found;
      }
      if (list.length < pageLimits.members) return null;
      after = list.at(-1)!.user.id;
    }
    return null;
  }
}

export const self = new Self();
