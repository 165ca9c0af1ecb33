/**
 * What the signed-in person has read, everywhere (api.md "Read state, unread, mentions"): for
 * every channel of their servers and every DM, how far they read and how many mentions of them
 * came after. The sidebar, the rail and the tab title read it; any tab or device that reads moves
 * it, and the server's `read_state` events bring that move to every other tab within seconds.
 *
 * Unread means the conversation's newest message is newer than the read position. The newest
 * message comes from the directory (`lastMessageId` of channels and DMs, as last loaded), moved
 * on by `channel_activity` and DM events, and set to the truth by the open conversation's feed.
 */
import { SvelteMap } from "svelte/reactivity";
import type { ReadState } from "@agorusta/core/views";
import { directory } from "./directory.svelte.ts";
import { api, send, session } from "./session.svelte.ts";
import { self } from "./roles/self.svelte.ts";

/** Where a read position is moved: a channel of a server, or a DM conversation. */
export type ReadTarget = { serverId: string; channelId: string } | { conversationId: string };

export const targetId = (t: ReadTarget): string => ("channelId" in t ? t.channelId : t.conversationId);

interface Mark {
  lastRead: string | null;
  mentions: number;
}

/** What `channel_activity` says of a new message (api.md "WebSocket: whole servers"). */
export interface Activity {
  serverId: string;
  channelId: string;
  messageId: string;
  authorId: string;
  mentions: readonly string[];
  mentionsEveryone: boolean;
  /** The roles it mentions (api.md "Role mentions"): it mentions me when I hold one (as far as my membership is known here). */
  mentionRoles?: readonly string[];
}

const newer = (a: string | null | undefined, b: string | null | undefined) => (a ?? "") > (b ?? "");

/** A mention's event this soon after a read-state answer may be one that answer counted: the counts are asked again. */
const RECOUNT_WITHIN_MS = 5_000;

class ReadStates {
  status = $state<"loading" | "ready" | "error">("loading");
  #marks = new SvelteMap<string, Mark>();
  /** Newest message ids learnt since the directory last loaded, ahead of its `lastMessageId`. */
  #latest = new SvelteMap<string, string | null>();
  /** Mentions counted live since the last answer, so an event that comes twice counts once. */
  #counted = new Map<string, Set<string>>();
  /** Per conversation: the read request on its way, and the position wanted after it. */
  #sending = new Map<string, string>();
  #wanted = new Map<string, { target: ReadTarget; messageId: string }>();

  /** Mentions of me counted live so far: a read-state answer asked for before the last of them may not count it. */
  #liveMentions = 0;
  /** When the last read-state answer came, and whether it was a recount (below). */
  #answeredAt = Number.NEGATIVE_INFINITY;
  #recounting = false;

  /**
   * Every read state at once; again after each reconnect (what moved meanwhile). An answer may
   * have been counted before a mention that reached this tab while it was on its way: it would
   * take that mention's badge away, so it is asked for again (a mention's event is sent once the
   * mention is stored, so the next answer counts it). Answers what it read (null: it could not).
   */
  async load(): Promise<ReadState[] | null> {
    try {
      let all: ReadState[];
      for (let tries = 1; ; tries++) {
        const counted = this.#liveMentions;
        all = await send(api["read-states"].$get());
        if (counted === this.#liveMentions || tries === 3) break;
      }
      this.#counted.clear();
      // A position this tab moved meanwhile may be ahead of the answer.
      for (const state of all) this.apply(state);
      this.status = "ready";
      this.#answeredAt = Date.now();
      return all;
    } catch {
      if (this.status !== "ready") this.status = "error";
      return null;
    }
  }

  clear(): void {
    this.#marks.clear();
    this.#latest.clear();
    this.#counted.clear();
    this.#wanted.clear();
    this.status = "loading";
  }

  /** The directory loaded afresh: its `lastMessageId`s are the truth again (a deleted newest message is no longer newest). */
  reseed(): void {
    this.#latest.clear();
  }

  lastRead(id: string): string | null {
    return this.#marks.get(id)?.lastRead ?? null;
  }

  mentions(id: string): number {
    return this.#marks.get(id)?.mentions ?? 0;
  }

  /** The newest message of a conversation, as far as this tab knows. */
  latest(id: string): string | null {
    if (this.#latest.has(id)) return this.#latest.get(id) ?? null;
    for (const detail of directory.details.values()) {
      const channel = detail.channels.find((c) => c.id === id);
      if (channel) return channel.lastMessageId ?? null;
    }
    return directory.dms.find((d) => d.id === id)?.lastMessageId ?? null;
  }

  /**
   * A mention counted after the read position is an unread message too, even before this tab
   * has learnt that message's id (a catch-up reads mention counts and newest messages side by side).
   */
  unread(id: string): boolean {
    return this.status === "ready" && (newer(this.latest(id), this.lastRead(id)) || this.mentions(id) > 0);
  }

  serverUnread(serverId: string): boolean {
    return directory.details.get(serverId)?.channels.some((c) => this.unread(c.id)) ?? false;
  }

  serverMentions(serverId: string): number {
    return directory.details.get(serverId)?.channels.reduce((n, c) => n + this.mentions(c.id), 0) ?? 0;
  }

  get dmMentions(): number {
    return directory.dms.reduce((n, d) => n + this.mentions(d.id), 0);
  }

  /** For the tab's title: every mention not read yet, in servers and DMs. */
  get totalMentions(): number {
    return directory.servers.reduce((n, s) => n + this.serverMentions(s.id), this.dmMentions);
  }

  /** A read state from the API: a PUT's answer, or a `read_state` event from any device of mine. */
  apply(state: ReadState): void {
    const id = state.channelId ?? state.conversationId;
    if (!id) return;
    const mark = this.#marks.get(id);
    // Positions only move forward; an answer overtaken by a later one is stale.
    if (mark && newer(mark.lastRead, state.lastReadMessageId)) return;
    this.#set(state);
  }

  /** A message was posted in a channel of one of my servers (`channel_activity`). */
  activity(a: Activity): void {
    const target = { serverId: a.serverId, channelId: a.channelId };
    if (a.authorId === session.me?.id) return this.#sentByMe(target, a.messageId);
    const mine = self.in(a.serverId)?.roles ?? [];
    const byRole = (a.mentionRoles ?? []).some((r) => mine.includes(r));
    this.#arrived(a.channelId, a.messageId, a.mentionsEveryone || byRole || a.mentions.includes(session.me?.id ?? ""));
  }

  /** A DM message: every message of the other participant mentions me. */
  dmActivity(conversationId: string, messageId: string, authorId: string): void {
    if (authorId === session.me?.id) return this.#sentByMe({ conversationId }, messageId);
    this.#arrived(conversationId, messageId, true);
  }

  /**
   * My own message, sent from this device or another: whoever writes has read what came before
   * (as in Discord), so every device of mine reads up to it. The conversation never turns unread
   * for me, here or after a reload, even when the device that sent it could not say so itself
   * (closed at once, or a client that reads nothing); the server's position moves with the first
   * device to tell it, and the others' requests change nothing.
   */
  #sentByMe(target: ReadTarget, messageId: string): void {
    if (this.status === "ready") this.markRead(target, messageId);
  }

  /** The open conversation's loaded feed knows its newest message for sure (also after a deletion). */
  settleLatest(id: string, messageId: string | null): void {
    if (this.#latest.get(id) !== messageId) this.#latest.set(id, messageId);
  }

  /** Moves my read position to `messageId` here and on every device: at once on screen, then by the API. */
  markRead(target: ReadTarget, messageId: string): void {
    const id = targetId(target);
    // Nothing new to read, unless a mention counted here may be gone (its message deleted): the
    // API's answer says how many are left.
    if (!newer(messageId, this.lastRead(id)) && this.mentions(id) === 0) return;
    // Everything up to the newest message is read: no mention is left after it.
    const wasNewest = !newer(this.latest(id), messageId);
    const mark = this.#marks.get(id);
    const lastRead = newer(messageId, mark?.lastRead) ? messageId : (mark?.lastRead ?? null);
    this.#marks.set(id, { lastRead, mentions: wasNewest ? 0 : (mark?.mentions ?? 0) });
    this.#wanted.set(id, { target, messageId });
    if (!this.#sending.has(id)) void this.#flush(id);
  }

  /** One request per conversation at a time: reading fast through a busy channel sends only the latest position. */
  async #flush(id: string): Promise<void> {
    const next = this.#wanted.get(id);
    if (!next) return;
    this.#wanted.delete(id);
    this.#sending.set(id, next.messageId);
    const json = { messageId: next.messageId };
    try {
      const t = next.target;
      const state = await send(
        "channelId" in t
          ? api.servers[":id"].channels[":cid"].read.$put({ param: { id: t.serverId, cid: t.channelId }, json })
          : api.dms[":id"].read.$put({ param: { id: t.conversationId }, json }),
      );
      this.apply(state);
    } catch {
      // Shown as read here already; the next read or reconnect tells the server again.
    } finally {
      this.#sending.delete(id);
    }
    if (this.#wanted.has(id)) await this.#flush(id);
  }

  #arrived(id: string, messageId: string, mentionsMe: boolean) {
    if (newer(messageId, this.latest(id))) this.#latest.set(id, messageId);
    if (!mentionsMe || !newer(messageId, this.lastRead(id))) return;
    const counted = this.#counted.get(id) ?? new Set<string>();
    if (counted.has(messageId)) return;
    this.#liveMentions++;
    counted.add(messageId);
    this.#counted.set(id, counted);
    const mark = this.#marks.get(id);
    this.#marks.set(id, { lastRead: mark?.lastRead ?? null, mentions: (mark?.mentions ?? 0) + 1 });
    if (Date.now() - this.#answeredAt < RECOUNT_WITHIN_MS) this.#recount();
  }

  /**
   * A mention's event that comes just after a read-state answer may be of a message that answer
   * already counted (stored before the read, its event slower than the answer): counted here
   * again, its badge would say one too many. Nothing in the answer tells which messages it
   * counted, so the counts are asked again, once, after such a close call: the server's count is
   * the truth, and the event came after its message was stored, so this answer holds it.
   */
  #recount(): void {
    if (this.#recounting) return;
    this.#recounting = true;
    void this.load().finally(() => {
      this.#recounting = false;
      // The recount's own answer does not open another window: at most one recount per answer.
      this.#answeredAt = Number.NEGATIVE_INFINITY;
    });
  }

  #set(state: ReadState) {
    const id = state.channelId ?? state.conversationId;
    if (!id) return;
    this.#marks.set(id, { lastRead: state.lastReadMessageId, mentions: state.mentionCount });
    // Mentions counted live that the answer covers are part of its count now.
    const counted = this.#counted.get(id);
    if (counted) for (const m of counted) if (!newer(m, state.lastReadMessageId)) counted.delete(m);
  }
}

export const readStates = new ReadStates();
