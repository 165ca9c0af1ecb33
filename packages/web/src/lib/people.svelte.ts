/**
 * People as they are now, wherever they show (docs/decisions.md, "People"): a user's newest
 * public facts from `user_updated` (a new avatar reaches every message, roster, DM row and
 * profile card already on screen, whatever object they were drawn from), and who of the people
 * one talks to in DMs is online (`GET /dms/online` once one is shown, then `presence`).
 */
import { SvelteMap } from "svelte/reactivity";
import type { User } from "@agorusta/core/views";
import type { Realtime } from "./socketClient.ts";
import { api, send, session } from "./session.svelte.ts";

class People {
  #updated = new SvelteMap<string, User>();
  #online = new SvelteMap<string, boolean>();

  /** The user as last heard of: `user_updated` wins over what a message or list carried. One's own self is `session.me`. */
  user<U extends User>(u: U): U {
    if (u.id === session.me?.id) return { ...u, username: session.me.username, avatarUrl: session.me.avatarUrl };
    const newer = this.#updated.get(u.id);
    return newer ? { ...u, username: newer.username, avatarUrl: newer.avatarUrl } : u;
  }

  /**
   * Whether a DM partner is online (false until known). Asked only for people something shows
   * (issue 27 item 3: a start on a server's channel, where the DM list is not on screen, does not
   * ask), once per connection, after it opened (an ask before would miss what changes before the
   * open): the people shown so far are asked at each open; someone shown later (a conversation
   * started since) makes it ask again, once, soon.
   */
  online(userId: string): boolean {
    const known = this.#online.get(userId);
    if (this.#realtime) {
      this.#shown.add(userId);
      if (this.#realtime.state === "open" && !this.#asked.has(userId)) {
        this.#asked.add(userId);
        this.#askSoon();
      }
    }
    return known ?? false;
  }

  /** The connection followed (while signed in). */
  #realtime: Realtime | null = null;
  /** People whose presence something has shown since the follow began. */
  #shown = new Set<string>();
  /** People asked about on the connection open now: each makes one ask, not one per render. */
  #asked = new Set<string>();
  #soon: ReturnType<typeof setTimeout> | null = null;
  #askSoon(): void {
    this.#soon ??= setTimeout(() => {
      this.#soon = null;
      void this.#loadOnline();
    }, 100);
  }

  /** From the app shell while signed in: follows the events, and asks who is online at each (re)connect. */
  follow(realtime: Realtime): () => void {
    const stopEvents = realtime.onEvent((e) => {
      if (e.type === "user_updated") this.#heard(e.user);
      else if (e.type === "presence") this.#online.set(e.userId, e.online);
    });
    const stopOpen = realtime.onOpen(() => {
      this.#asked = new Set(this.#shown);
      if (this.#asked.size) void this.#loadOnline();
    });
    this.#realtime = realtime;
    return () => {
      this.#realtime = null;
      if (this.#soon) clearTimeout(this.#soon);
      this.#soon = null;
      this.#asked.clear();
      this.#shown.clear();
      stopEvents();
      stopOpen();
      this.#updated.clear();
      this.#online.clear();
    };
  }

  #heard(user: User): void {
    // One's own change from another tab or device: this tab's `me` follows.
    if (user.id === session.me?.id) session.me = { ...session.me, username: user.username, avatarUrl: user.avatarUrl };
    else this.#updated.set(user.id, user);
  }

  async #loadOnline(): Promise<void> {
    try {
      const asked = [...this.#asked];
      const { userIds } = await send(api.dms.online.$get());
      const online = new Set(userIds);
      // Those asked about and not online are offline (known: no ask again on this connection).
      for (const id of new Set([...this.#online.keys(), ...asked])) if (!online.has(id)) this.#online.set(id, false);
      for (const id of online) this.#online.set(id, true);
    } catch {
      // The dots stay as they were; the next reconnect asks again.
    }
  }
}

export const people = new People();
