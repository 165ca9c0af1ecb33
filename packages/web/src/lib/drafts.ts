/**
 * What someone typed and has not sent, per conversation (a channel or a DM), kept on this device
 * so that switching conversations or reloading loses nothing (issue 22). One localStorage entry
 * per draft, keyed by the user and the conversation, so another account signed in on the same
 * browser never sees it. Bounded: at most `MAX_DRAFTS` drafts on the device (the least recently
 * typed in go first) and `MAX_CHARS` characters each. No Svelte here: unit tests import it.
 */

const PREFIX = "agorusta.draft.";
/** Drafts kept on the device, all accounts together. */
export const MAX_DRAFTS = 50;
/** A draft's characters (UTF-16 units): a message's limit with room for a paste being trimmed down. */
export const MAX_CHARS = 20_000;

interface Stored {
  text: string;
  /** When it was last typed in (ms), to let the oldest go first. */
  at: number;
}

const keyOf = (userId: string, conversationId: string) => `${PREFIX}${userId}.${conversationId}`;

/** Storage can be full, disabled or absent (private windows): a draft is then only in memory. */
function safely<T>(fallback: T, run: () => T): T {
  try {
    return run();
  } catch {
    return fallback;
  }
}

export class Drafts {
  #storage: () => Storage | undefined;
  #now: () => number;

  constructor(storage: () => Storage | undefined = () => globalThis.localStorage, now: () => number = Date.now) {
    this.#storage = storage;
    this.#now = now;
  }

  /** The draft of this person in this conversation, or "". */
  load(userId: string, conversationId: string): string {
    return safely("", () => {
      const raw = this.#storage()?.getItem(keyOf(userId, conversationId));
      if (!raw) return "";
      const parsed = JSON.parse(raw) as Partial<Stored>;
      return typeof parsed.text === "string" ? parsed.text : "";
    });
  }

  /** Keeps `text` as the draft (an empty or blank one is removed). */
  save(userId: string, conversationId: string, text: string): void {
    if (!text.trim()) return this.clear(userId, conversationId);
    safely(undefined, () => {
      const storage = this.#storage();
      if (!storage) return;
      const key = keyOf(userId, conversationId);
      const isNew = storage.getItem(key) === null;
      storage.setItem(key, JSON.stringify({ text: text.slice(0, MAX_CHARS), at: this.#now() } satisfies Stored));
      // Only a new draft can take the count past the bound: the walk over every key is not per keystroke.
      if (isNew) this.#prune(storage, key);
    });
  }

  /** Sent (or emptied): the draft goes. */
  clear(userId: string, conversationId: string): void {
    safely(undefined, () => this.#storage()?.removeItem(keyOf(userId, conversationId)));
  }

  /** Drops the least recently typed drafts past `MAX_DRAFTS` (never `keep`, the one just typed). */
  #prune(storage: Storage, keep: string): void {
    const drafts: { key: string; at: number }[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(PREFIX) || key === keep) continue;
      const at = safely(0, () => Number((JSON.parse(storage.getItem(key) ?? "{}") as Partial<Stored>).at) || 0);
      drafts.push({ key, at });
    }
    drafts.sort((a, b) => a.at - b.at);
    for (const { key } of drafts.slice(0, Math.max(0, drafts.length + 1 - MAX_DRAFTS))) storage.removeItem(key);
  }
}

export const drafts = new Drafts();
