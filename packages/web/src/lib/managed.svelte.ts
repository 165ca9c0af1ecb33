/**
 * A list an owner manages on the settings page (invites, passwords): shown as the page's `load`
 * brings it (`follow`), fetched again on Retry (`load`), added to at the top, and removed from one
 * item at a time, with the states the page shows.
 */
import { untrack } from "svelte";
import { isApiError } from "./api.ts";

export interface ManagedListOptions<T> {
  /** Fetches the list again (Retry). */
  fetch: () => Promise<T[]>;
  remove: (item: T) => Promise<unknown>;
  key: (item: T) => string;
  /** "the invites": for the sentences that say what failed. */
  what: string;
}

export class ManagedList<T> {
  items = $state.raw<T[]>([]);
  status = $state<"loading" | "ready" | "error">("loading");
  error = $state("");
  /** The key of the item being removed: its button is disabled meanwhile. */
  removing = $state<string | null>(null);
  /** Why the last removal failed. */
  problem = $state("");
  #options: ManagedListOptions<T>;
  /** The latest fetch or `follow`: an earlier one that answers later is not shown. */
  #latest: Promise<T[]> | null = null;

  constructor(options: ManagedListOptions<T>) {
    this.#options = options;
  }

  key(item: T): string {
    return this.#options.key(item);
  }

  /**
   * Call during component initialisation: shows each list `items()` brings (what the page's load
   * fetched; a new one when it loads again, for another server), not each fresh copy of the page's props.
   */
  follow(items: () => Promise<T[]>): void {
    $effect(() => {
      const first = items();
      untrack(() => void this.#show(first));
    });
  }

  load = (): Promise<void> => this.#show(this.#options.fetch());

  async #show(items: Promise<T[]>): Promise<void> {
    this.#latest = items;
    this.status = "loading";
    try {
      const list = await items;
      if (this.#latest !== items) return;
      this.items = list;
      this.status = "ready";
    } catch (e) {
      if (this.#latest !== items) return;
      this.error = isApiError(e) ? e.message : `Could not load ${this.#options.what}.`;
      this.status = "error";
    }
  }

  add(item: T): void {
    this.items = [item, ...this.items];
  }

  async remove(item: T): Promise<void> {
    const key = this.key(item);
    this.removing = key;
    this.problem = "";
    try {
      await this.#options.remove(item);
      this.items = this.items.filter((i) => this.key(i) !== key);
    } catch (e) {
      this.problem = isApiError(e) ? e.message : `Could not remove it from ${this.#options.what}.`;
    } finally {
      this.removing = null;
    }
  }
}
