/**
 * The search box's language (Discord's): words to find, and the filter words `from:`, `mentions:`,
 * `in:`, `has:`, `before:`, `after:`, turned into the search route's query parameters (api.md
 * "Search"); what to suggest while one is being typed; and which words of a hit to highlight,
 * folded as the server folds them (core/search/words.ts). No Svelte: unit tests import it.
 */
import { parseQuery, words } from "@agorusta/core/search/words";
import { rank, type Suggestion } from "./autocomplete.ts";

export const FILTERS = ["from", "mentions", "in", "has", "before", "after"] as const;
export type FilterWord = (typeof FILTERS)[number];
export const HAS = ["file", "image", "link"] as const;
export type Has = (typeof HAS)[number];

/** The box's longest `q` (the contract's). */
export const MAX_Q = 200;

export interface Person {
  id: string;
  username: string;
  avatarUrl?: string | null;
}

/** Where `in:` can point: a server's channels, or (in the DM view) conversations named by the other person. */
export interface Place {
  id: string;
  name: string;
}

/** What names in the box are resolved against. */
export interface Known {
  people: readonly Person[];
  places: readonly Place[];
  /** `in:` names a channel (`#` suggestions) or a DM conversation. */
  placeKind: "channel" | "dm";
}

/** The route's parameters; `place` is `channelId` on a server's search, `conversationId` on the DMs'. */
export interface SearchParams {
  q?: string;
  authorId?: string;
  mentions?: string;
  place?: string;
  has?: Has;
  before?: string;
  after?: string;
}

export type Parsed = { ok: true; params: SearchParams } | { ok: false; error: string };

/** One piece of the box between spaces; a quoted part (`"two words"`, `in:"a b"`) keeps its spaces. */
export interface Token {
  text: string;
  start: number;
  end: number;
}

export function tokenize(text: string): Token[] {
  return [...text.matchAll(/(?:[^\s"]+|"[^"]*"?)+/g)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
}

const FILTER = new RegExp(`^(${FILTERS.join("|")}):(.*)$`, "is");

/** A filter token's word and its value without quotes or the `@`/`#` one may type before a name. */
function filterOf(token: string): { word: FilterWord; value: string } | null {
  const m = FILTER.exec(token);
  if (!m) return null;
  const word = m[1]!.toLowerCase() as FilterWord;
  return { word, value: m[2]!.replaceAll('"', "").replace(/^[@#]/, "").trim() };
}

const same = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: "accent" }) === 0;

/** `2026-03-01`, read as that day in the reader's time zone; null if it is no date. */
export function dayOf(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const day = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return day.getMonth() === Number(m[2]) - 1 && day.getDate() === Number(m[3]) ? day : null;
}

const nextDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1);

/**
 * The box's text as the route's parameters. As Discord reads them, `before:` a day is before
 * that day begins and `after:` a day is after it ends (both in the reader's time zone); a name
 * that is nobody's, or a date that is none, is an error to show rather than a search of
 * something else.
 */
export function parseSearch(text: string, known: Known): Parsed {
  const params: SearchParams = {};
  const rest: string[] = [];
  for (const { text: token } of tokenize(text)) {
    const filter = filterOf(token);
    if (!filter) {
      rest.push(token);
      continue;
    }
    const { word, value } = filter;
    if (!value) return { ok: false, error: `Type what ${word}: is after the colon.` };
    if (word === "from" || word === "mentions") {
      const person = known.people.find((p) => same(p.username, value));
      if (!person) return { ok: false, error: `Nobody here is called ${value}.` };
      params[word === "from" ? "authorId" : "mentions"] = person.id;
    } else if (word === "in") {
      const place = known.places.find((p) => same(p.name, value));
      if (!place) return { ok: false, error: known.placeKind === "channel" ? `There is no channel #${value} you can see.` : `You have no conversation with ${value}.` };
      params.place = place.id;
    } else if (word === "has") {
      const has = HAS.find((h) => h === value.toLowerCase());
      if (!has) return { ok: false, error: "has: is file, image or link." };
      params.has = has;
    } else {
      const day = dayOf(value);
      if (!day) return { ok: false, error: `${word}: takes a date like 2026-03-01.` };
      params[word] = (word === "before" ? day : nextDay(day)).toISOString();
    }
  }
  const q = rest.join(" ").trim();
  if (q.length > MAX_Q) return { ok: false, error: `Search for at most ${MAX_Q} characters of words.` };
  if (q && words(q).length === 0 && !params.authorId && !params.mentions && !params.has) return { ok: false, error: "Type words to find: letters or digits." };
  if (q) params.q = q;
  if (!params.q && !params.authorId && !params.mentions && !params.has) {
    return { ok: false, error: "Type words to find, or use from:, mentions: or has:." };
  }
  return { ok: true, params };
}

/** What is being typed at the caret: a filter's value (`from:al`), or something that may become a filter word. */
export type SearchTrigger = { kind: FilterWord | "filters"; query: string; start: number; end: number };

/**
 * The token the caret ends: a filter with its value so far, a start of a filter word (`fr`), or
 * nothing yet (the caret after a space, or an empty box: every filter is offered).
 */
export function searchTriggerAt(text: string, caret: number): SearchTrigger | null {
  const token = tokenize(text).find((t) => t.start < caret && caret <= t.end);
  if (!token) return { kind: "filters", query: "", start: caret, end: caret };
  if (token.end !== caret) return null;
  const filter = filterOf(token.text);
  if (filter) return { kind: filter.word, query: filter.value, start: token.start, end: token.end };
  if (/^[a-z]+$/i.test(token.text) && FILTERS.some((f) => f.startsWith(token.text.toLowerCase()))) {
    return { kind: "filters", query: token.text.toLowerCase(), start: token.start, end: token.end };
  }
  return null;
}

const FILTER_HINTS: Record<FilterWord, { label: string; icon: "atSign" | "hash" | "file" | "clock" | "users" }> = {
  from: { label: "user", icon: "users" },
  mentions: { label: "user", icon: "atSign" },
  in: { label: "channel", icon: "hash" },
  has: { label: "link, image or file", icon: "file" },
  before: { label: "date", icon: "clock" },
  after: { label: "date", icon: "clock" },
};

const HAS_ICONS = { file: "file", image: "image", link: "link" } as const;

const isoDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
const daysAgo = (now: Date, n: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() - n);

/** The suggestions' limit is the composer's (autocomplete.ts). */
const MAX = 8;

/** What to offer for what is being typed, best first. */
export function searchSuggestions(trigger: SearchTrigger, known: Known, now = new Date()): Suggestion[] {
  const q = trigger.query;
  switch (trigger.kind) {
    case "filters":
      return FILTERS.filter((f) => f.startsWith(q) && (f !== "in" || known.places.length > 0)).map((f) => ({
        kind: "option",
        value: `${f}:`,
        label: `${f}:`,
        hint: FILTER_HINTS[f].label,
        icon: FILTER_HINTS[f].icon,
      }));
    case "from":
    case "mentions":
      return rank(known.people, (p) => p.username, q)
        .slice(0, MAX)
        .map((p) => ({ kind: "person", user: { id: p.id, username: p.username, avatarUrl: p.avatarUrl ?? null } }));
    case "in":
      return rank(known.places, (p) => p.name, q)
        .slice(0, MAX)
        .map((p) =>
          known.placeKind === "channel"
            ? { kind: "channel", id: p.id, name: p.name }
            : { kind: "option", value: p.name, label: p.name, hint: "Direct message", icon: "atSign" },
        );
    case "has":
      return HAS.filter((h) => h.startsWith(q.toLowerCase())).map((h) => ({ kind: "option", value: h, label: h, icon: HAS_ICONS[h] }));
    case "before":
    case "after": {
      const days: [string, string][] = [
        [isoDay(now), "Today"],
        [isoDay(daysAgo(now, 1)), "Yesterday"],
        [isoDay(daysAgo(now, 7)), "A week ago"],
        [isoDay(daysAgo(now, 30)), "30 days ago"],
        [isoDay(daysAgo(now, 365)), "A year ago"],
      ];
      const typed = dayOf(q);
      if (typed && !days.some(([d]) => d === q)) days.unshift([q, "This day"]);
      return days.filter(([d]) => d.startsWith(q)).map(([d, hint]) => ({ kind: "option", value: d, label: d, hint, icon: "clock" }));
    }
  }
}

/** What a picked suggestion writes for the trigger: a filter word, or a filter's value (quoted if it holds a space). */
function writtenFor(trigger: SearchTrigger, pick: Suggestion): string {
  const quote = (name: string) => (/\s/.test(name) ? `"${name}"` : name);
  if (trigger.kind === "filters") return pick.kind === "option" ? pick.value : "";
  const value = pick.kind === "person" ? pick.user.username : pick.kind === "channel" ? pick.name : pick.kind === "option" ? pick.value : "";
  return `${trigger.kind}:${quote(value)} `;
}

/** The box's text with the trigger replaced by the pick, and where the caret goes. */
export function applySearchPick(text: string, trigger: SearchTrigger, pick: Suggestion): { text: string; caret: number } {
  const insert = writtenFor(trigger, pick);
  const rest = text.slice(trigger.end);
  const after = insert.endsWith(" ") && rest.startsWith(" ") ? rest.slice(1) : rest;
  return { text: text.slice(0, trigger.start) + insert + after, caret: trigger.start + insert.length };
}

/** A piece of a hit's text, to draw highlighted when it is a word the search asked for. */
export interface Part {
  text: string;
  hit: boolean;
}

const RUN = /[\p{L}\p{N}]+/gu;

/**
 * A hit's text in parts, its runs of letters and digits highlighted where one of their words
 * (folded as the index folds them) is a word of `q`, or starts with one `q` asks for as a prefix.
 */
export function highlight(text: string, q: string | undefined): Part[] {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const clause of q ? parseQuery(q) : []) {
    clause.words.forEach((w, i) => (clause.prefix && i === clause.words.length - 1 ? prefixes.push(w) : exact.add(w)));
  }
  if (exact.size === 0 && prefixes.length === 0) return [{ text, hit: false }];
  const parts: Part[] = [];
  let at = 0;
  const push = (piece: string, hit: boolean) => {
    if (!piece) return;
    const last = parts.at(-1);
    if (last && last.hit === hit) last.text += piece;
    else parts.push({ text: piece, hit });
  };
  for (const m of text.matchAll(RUN)) {
    const hit = words(m[0]).some((w) => exact.has(w) || prefixes.some((p) => w.startsWith(p)));
    push(text.slice(at, m.index), false);
    push(m[0], hit);
    at = m.index + m[0].length;
  }
  push(text.slice(at), false);
  return parts;
}

/** A hit's content as text to read: a channel link as stored (`<#id>`, markdown.ts) written `#name` when known. */
export const readable = (content: string, place: (id: string) => string | undefined): string =>
  content.replace(/<#([0-9A-HJKMNP-TV-Z]{26})>/g, (whole, id: string) => {
    const name = place(id);
    return name === undefined ? whole : `#${name}`;
  });
