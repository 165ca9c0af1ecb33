/**
 * People as they are now, wherever they show (docs/decisions.md, "People"): a user's newest
 * public facts from `user_updated` (a new avatar reaches every message, roster, DM row and
 * profile card already on screen, whatever object they were drawn from), and who of the people
 * one talks to in DMs is online (`GET /dms/online`, then `presence`).
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
   * Whether a DM partner is online (false until known). Someone not heard of yet (a conversation
   * started since the last ask) makes it ask again, once, soon.
   */
  online(userId: string): boolean {
    const known = this.#online.get(userId);
    if (known === undefined && this.#following && !this.#asked.has(userId)) {
      this.#asked.add(userId);
      this.#askSoon();
    }
    return known ?? false;
  }

  #following = false;
  /** Users one has asked about since the last (re)connect: each makes one more ask, not one per render. */
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
      this.#asked.clear();
      void this.#loadOnline();
    });
    this.#following = true;
    return () => {
      this.#following = false;
      if (this.#soon) clearTimeout(this.#soon);
      this.#soon = null;
      this.#asked.clear();
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
      const { userIds } = await send(api.dms.online.$get());
      const online = new Set(userIds);
      for (const id of this.#online.keys()) if (!online.has(id)) this.#online.set(id, false);
      for (const id of online) this.#online.set(id, true);
    } catch {
      // The dots stay as they were; the next reconnect asks again.
    }
  }
}

export const people = new People();
