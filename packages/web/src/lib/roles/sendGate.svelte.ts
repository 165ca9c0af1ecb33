/**
 * Whether the person may post in a channel now, and what the composer says when not: a timeout
 * (a notice and no composer, until it ends), no `SEND_MESSAGES` there (a read-only channel), or
 * slowmode (a countdown after each message, unless they may manage messages or channels, whom
 * the API does not hold). The API decides (429 `rate_limited`, 403); this only says it first.
 */
import { SvelteMap } from "svelte/reactivity";
import type { Channel, ServerDetail } from "@agorusta/core/views";
import { directory } from "../directory.svelte.ts";
import { countdown } from "./countdown.ts";
import { holdsIn, looksTimedOut } from "./grants.ts";
import { self } from "./self.svelte.ts";

/** When one last posted in each slowed channel, for this tab's life (switching channels keeps the countdown). */
const lastSent = new SvelteMap<string, number>();

export class SendGate {
  #server: () => ServerDetail;
  #channel: () => Channel;
  now = $state(Date.now());

  constructor(server: () => ServerDetail, channel: () => Channel) {
    this.#server = server;
    this.#channel = channel;
  }

  /** The end of one's timeout, if timed out (null when not, or not yet known). */
  get timedOutUntil(): Date | null {
    const until = self.in(this.#server().id)?.timeoutUntil;
    return until && Date.parse(until) > this.now ? new Date(until) : null;
  }

  get timedOut(): boolean {
    return this.timedOutUntil !== null || looksTimedOut(this.#server());
  }

  /** Why there is no composer (null: there is one). */
  get blocked(): string | null {
    if (this.timedOut) {
      const until = this.timedOutUntil;
      const when = until ? ` until ${until.toLocaleString([], { dateStyle: "medium", timeStyle: "short" })}` : "";
      return `You are timed out${when}. You can read, but not send messages or react, until it ends.`;
    }
    if (!holdsIn(this.#server(), this.#channel(), "SEND_MESSAGES")) return "You do not have permission to send messages in this channel.";
    return null;
  }

  /** Whether one may add a new reaction here (joining one already there needs only to read). */
  get react(): boolean {
    return !this.timedOut && holdsIn(this.#server(), this.#channel(), "ADD_REACTIONS");
  }

  /** Whether one may attach files here. */
  get attach(): boolean {
    return holdsIn(this.#server(), this.#channel(), "ATTACH_FILES");
  }

  /** Slowmode's seconds for this person here: 0 when off, or when they are not held by it. */
  get slowmode(): number {
    const channel = this.#channel();
    const seconds = channel.slowmodeSeconds ?? 0;
    if (seconds <= 0) return 0;
    const server = this.#server();
    return holdsIn(server, channel, "MANAGE_MESSAGES") || holdsIn(server, channel, "MANAGE_CHANNELS") ? 0 : seconds;
  }

  /** Seconds until one may post again. */
  get remaining(): number {
    const last = lastSent.get(this.#channel().id);
    if (!last || this.slowmode === 0) return 0;
    return Math.max(0, Math.ceil((last + this.slowmode * 1000 - this.now) / 1000));
  }

  /** Why the message cannot go yet (the composer shows it on Enter), or null. */
  get hold(): string | null {
    const left = this.remaining;
    return left > 0 ? `Slowmode is on: you can send again in ${countdown(left)}.` : null;
  }

  /** The line over the composer: the countdown, or that slowmode is on. */
  get note(): string | null {
    if (this.slowmode === 0) return null;
    const left = this.remaining;
    return left > 0 ? `Slowmode: ${countdown(left)}` : `Slowmode is on: one message every ${countdown(this.slowmode)}.`;
  }

  sent(): void {
    if (this.slowmode > 0) lastSent.set(this.#channel().id, Date.now());
    this.now = Date.now();
  }

  /**
   * Call in an effect: ticks the clock each second (the countdown, a timeout's end), learns the
   * end of one's timeout when the permissions say one is timed out, and fetches the permissions
   * again once it ends (the API computes them; nothing is pushed when a timeout runs out).
   */
  follow(): () => void {
    const serverId = this.#server().id;
    let wasTimedOut = this.timedOut;
    if (wasTimedOut) void self.load(serverId).catch(() => {});
    const timer = setInterval(() => {
      this.now = Date.now();
      const until = self.in(serverId)?.timeoutUntil;
      if (wasTimedOut && until && Date.parse(until) <= this.now) {
        wasTimedOut = false;
        directory.refresh(serverId);
      } else if (!wasTimedOut && this.timedOut) {
        wasTimedOut = true;
        void self.load(serverId).catch(() => {});
      }
    }, 1000);
    return () => clearInterval(timer);
  }
}
