/**
 * Pure helpers for message lists: merging pages and live events, and laying messages out the way
 * chat apps do (a day divider when the day changes; one header for a run of messages by the same
 * author within a few minutes). No Svelte: the unit tests import it directly.
 */
import type { Attachment, Reaction, ReplyRef, User } from "@agorusta/core/views";

/** What channel messages and DM messages have in common. */
export interface TimelineMessage {
  id: string;
  authorId: string;
  author: User;
  content: string;
  createdAt: string;
  /** Set once its author edits it (placeholders of messages being sent have none). */
  editedAt?: string | null;
  /** Grows with every change to the message (api.md "Change feeds"); of two copies the higher wins. */
  revision?: number;
  /** What its sender's client tagged it with, so the sender matches its placeholder to it. */
  nonce?: string | null;
  /** What it answers, its reactions and its files (placeholders of messages being sent have no reactions or files yet). */
  replyTo?: ReplyRef | null;
  reactions?: Reaction[];
  attachments?: Attachment[];
}

type Versioned = { id: string; editedAt?: string | null; revision?: number };

/**
 * Ids sort by creation time (ULIDs), so one sorted, duplicate-free list is the whole truth. Of
 * two copies of one message the later version wins (a page fetched before an edit must not undo
 * the edit that arrived live meanwhile): the higher `revision`, or, for copies without one, the
 * later `editedAt`; between equals, the incoming one.
 */
export function mergeById<M extends Versioned>(current: readonly M[], incoming: readonly M[]): M[] {
  if (incoming.length === 0) return current as M[];
  const last = current.at(-1);
  const first = incoming[0]!;
  // The usual case, a live message or a page after the newest: no sort needed.
  if (!last || (first.id > last.id && isSorted(incoming))) return [...current, ...incoming];
  const byId = new Map<string, M>();
  for (const m of current) byId.set(m.id, m);
  for (const m of incoming) {
    const shown = byId.get(m.id);
    if (!shown || !isOlder(m, shown)) byId.set(m.id, m);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Whether `a` is an older version of the message than `b`. ISO times compare as strings; never edited sorts first. */
export function isOlder(a: Versioned, b: Versioned): boolean {
  if (a.revision !== undefined && b.revision !== undefined) return a.revision < b.revision;
  return (a.editedAt ?? "") < (b.editedAt ?? "");
}

/**
 * Whether a change to message `id` belongs in a list that holds `loaded` (oldest first), or all of
 * the conversation's history if `complete`: within the loaded span it joins; older than the
 * oldest loaded, it would open a hole, and comes with its page instead. Unless `present` (the
 * newest messages are loaded: an old place opened from a search is not), so does one newer
 * than the newest loaded.
 */
export function withinLoaded(id: string, loaded: readonly { id: string }[], complete: boolean, present = true): boolean {
  const newest = loaded.at(-1);
  if (!present && (newest === undefined || id > newest.id)) return false;
  if (complete) return true;
  const oldest = loaded[0];
  return oldest !== undefined && id > oldest.id;
}

const isSorted = (list: readonly { id: string }[]) => list.every((m, i) => i === 0 || list[i - 1]!.id < m.id);

/** A run of messages by one author closer together than this shares one header. */
export const GROUP_GAP_MS = 7 * 60 * 1000;

export interface Row<M> {
  message: M;
  /** Show author and time above this message (it starts a group). */
  header: boolean;
  /** A day divider goes above this message: the local midnight of its day. */
  day: Date | null;
}

/** `breakAt`: the message the "New messages" divider shows above, which starts a group of its own (its author shown below the divider). */
export function layoutRows<M extends Pick<TimelineMessage, "id" | "authorId" | "createdAt" | "replyTo">>(messages: readonly M[], breakAt: string | null = null): Row<M>[] {
  const rows: Row<M>[] = [];
  let previous: M | undefined;
  for (const message of messages) {
    const at = new Date(message.createdAt);
    const newDay = !previous || !sameDay(new Date(previous.createdAt), at);
    const header =
      newDay ||
      // A reply shows whom it answers above its author, as a message of its own.
      Boolean(message.replyTo) ||
      message.id === breakAt ||
      previous!.authorId !== message.authorId ||
      at.getTime() - new Date(previous!.createdAt).getTime() > GROUP_GAP_MS;
    rows.push({ message, header, day: newDay ? startOfDay(at) : null });
    previous = message;
  }
  return rows;
}

const sameDay = (a: Date, b: Date) =>
  a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });

/** "14:05" */
export const clock = (iso: string): string => timeFormat.format(new Date(iso));

/** "Today", "Yesterday" or "Mar 12, 2026", relative to `now`. */
export function dayLabel(day: Date, now = new Date()): string {
  const today = startOfDay(now);
  const days = Math.round((today.getTime() - startOfDay(day).getTime()) / 86_400_000);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  return dateFormat.format(day);
}

/** "Today at 14:05", "Yesterday at 09:12", "Mar 12, 2026 14:05". */
export function stamp(iso: string, now = new Date()): string {
  const at = new Date(iso);
  const day = dayLabel(at, now);
  return day === "Today" || day === "Yesterday" ? `${day} at ${clock(iso)}` : `${day} ${clock(iso)}`;
}

/** For the `title` of a time: "Tuesday, 24 November 2026 at 10:00". */
export const fullStamp = (iso: string): string => fullFormat.format(new Date(iso));

/** "in 3 days", "in 5 hours", "expired", for invite and password expiry. */
export function untilLabel(iso: string | null, now = Date.now()): string {
  if (!iso) return "Never";
  const ms = new Date(iso).getTime() - now;
  if (ms <= 0) return "Expired";
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: "always" });
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return rtf.format(Math.max(1, minutes), "minute");
  const hours = Math.round(minutes / 60);
  if (hours < 48) return rtf.format(hours, "hour");
  return rtf.format(Math.round(hours / 24), "day");
}
