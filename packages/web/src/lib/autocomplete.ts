/**
 * The composer's suggestions: `@` offers the people of the conversation (and `@everyone` where
 * the author may use it), `#` the channels the author can see. What is being typed is found
 * before the caret; picking replaces it with the mention's text. No Svelte here: unit tests
 * import it.
 *
 * A channel is written `<#channelId>` (Discord's syntax): an id survives a rename and a name
 * may hold spaces. Messages draw it as a link named `#name` (markdown.ts, "channel").
 */
import type { User } from "@agorusta/core/views";

/** Suggestions shown at once. */
export const MAX_SUGGESTIONS = 8;

/**
 * What a pick inserts: a person, `@everyone`, a role (`@Role Name`, matched by the API as the
 * longest role name written there: permissions/roleMentions.ts), or a channel.
 */
export type Suggestion =
  | { kind: "person"; user: Pick<User, "id" | "username" | "avatarUrl"> }
  | { kind: "everyone" }
  | { kind: "role"; id: string; name: string; color: number | null }
  | { kind: "channel"; id: string; name: string; /** The server's name, where channels of several are offered (a DM). */ where?: string }
  /** A word to write as it is (the search box's filter words, `has:` values, dates), with its icon. */
  | { kind: "option"; value: string; label: string; hint?: string; icon: OptionIcon };

/** The icons an option may show (names of Icon.svelte's). */
export type OptionIcon = "atSign" | "hash" | "file" | "image" | "link" | "clock" | "users";

/** Where a conversation's suggestions come from (its page gives them). */
export interface Suggestions {
  /** The people who may be named here (a server's members as loaded; a DM's two). */
  people: () => readonly Pick<User, "id" | "username" | "avatarUrl">[];
  /** Whether `@everyone` is offered: the author may notify everyone here (`can(…, "MENTION_EVERYONE")`, server-wide). */
  everyone: () => boolean;
  /** The roles the author may mention here (mentionable ones, or all with `MENTION_EVERYONE`); none in a DM. */
  roles?: () => readonly { id: string; name: string; color: number | null }[];
  /** The channels the author can see, to link to. */
  channels: () => readonly { id: string; name: string; where?: string }[];
  /** A suggestion list opens: the page may load what it lacks (the rest of the member list). */
  wanted?: (kind: Trigger["kind"]) => void;
}

/** A mention being typed: `@bo` or `#gen`, from `start` (its sigil) to the caret. */
export interface Trigger {
  kind: "person" | "channel";
  query: string;
  start: number;
  end: number;
}

/**
 * The mention being typed just before the caret, if any: a sigil at the start or after a space or
 * an opening bracket, then no space. `@` takes username characters only (an address like a@b.c
 * is not one: its @ follows a letter).
 */
export function triggerAt(text: string, caret: number): Trigger | null {
  const before = text.slice(0, caret);
  const match = /(^|[\s([{"'])([@#])([^\s@#<>]{0,100})$/u.exec(before);
  if (!match) return null;
  const [, lead, sigil, query] = match as unknown as [string, string, string, string];
  if (sigil === "@" && !/^[A-Za-z0-9_.-]{0,32}$/.test(query)) return null;
  const start = match.index + lead.length;
  return { kind: sigil === "@" ? "person" : "channel", query, start, end: caret };
}

/** Starts-with first, then contains; alphabetical within each; case-insensitive. */
export function rank<T>(items: readonly T[], nameOf: (item: T) => string, query: string): T[] {
  const q = query.toLowerCase();
  const scored = items
    .map((item) => ({ item, name: nameOf(item).toLowerCase() }))
    .filter(({ name }) => name.includes(q))
    .map(({ item, name }) => ({ item, name, score: name.startsWith(q) ? 0 : 1 }));
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.map((s) => s.item);
}

/** What to offer for what is being typed, best first, at most `MAX_SUGGESTIONS`. */
export function suggest(trigger: Trigger, from: Suggestions): Suggestion[] {
  if (trigger.kind === "channel") {
    return rank(from.channels(), (c) => c.name, trigger.query)
      .slice(0, MAX_SUGGESTIONS)
      .map((c) => ({ kind: "channel" as const, id: c.id, name: c.name, ...(c.where ? { where: c.where } : {}) }));
  }
  const seen = new Set<string>();
  const people = from.people().filter((p) => !seen.has(p.id) && seen.add(p.id));
  const out: Suggestion[] = rank(people, (p) => p.username, trigger.query).map((user) => ({ kind: "person" as const, user }));
  out.push(...rank(from.roles?.() ?? [], (r) => r.name, trigger.query).map((r) => ({ kind: "role" as const, id: r.id, name: r.name, color: r.color })));
  if (from.everyone() && "everyone".startsWith(trigger.query.toLowerCase())) out.push({ kind: "everyone" });
  return out.slice(0, MAX_SUGGESTIONS);
}

/** The text a suggestion writes into the message. */
export function written(s: Suggestion): string {
  if (s.kind === "person") return `@${s.user.username}`;
  if (s.kind === "everyone") return "@everyone";
  if (s.kind === "role") return `@${s.name}`;
  if (s.kind === "option") return s.value;
  return `<#${s.id}>`;
}

/** The text with the trigger replaced by the pick and a space after it, and where the caret goes. */
export function applyPick(text: string, trigger: Trigger, pick: Suggestion): { text: string; caret: number } {
  const insert = `${written(pick)} `;
  const rest = text.slice(trigger.end);
  const after = rest.startsWith(" ") ? rest.slice(1) : rest;
  return { text: text.slice(0, trigger.start) + insert + after, caret: trigger.start + insert.length };
}

/** A stable key for a suggestion (the list's `each`). */
export function suggestionKey(s: Suggestion): string {
  if (s.kind === "option") return `o:${s.value}`;
  return s.kind === "person" ? `p:${s.user.id}` : s.kind === "channel" ? `c:${s.id}` : s.kind === "role" ? `r:${s.id}` : "everyone";
}
