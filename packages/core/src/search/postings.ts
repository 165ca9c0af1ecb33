/**
 * Which postings a message has (model/search.ts): pure, so the indexer, the backfill and the
 * tests agree on them, and an edit's old and new postings can be compared key by key.
 */
import { decodeTime } from "ulid";
import { BREAK, messageWords } from "./words.ts";

/** What of a stored message (channel or DM) the index needs. */
export interface IndexedMessage {
  messageId: string;
  authorId: string;
  authorUsername: string;
  content: string;
  mentions?: readonly string[] | undefined;
  attachments?: readonly { filename: string; contentType: string }[] | undefined;
}

export type Has = "file" | "image" | "link";
export const HAS: readonly Has[] = ["file", "image", "link"];

/** The filters' pseudo-terms: no word has `@` or `:` in it, so they never meet a word. */
export const filterTerm = {
  from: (userId: string) => `@from:${userId}`,
  mentions: (userId: string) => `@mentions:${userId}`,
  has: (has: Has) => `@has:${has}`,
};

/**
 * The lengths of the prefix terms a word is posted under, and how one is written (`~` never
 * starts a word): `~pe` and `~per` for `permission`. Two letters alone are too common to walk
 * quickly (in English and in the benchmark's text, a few two-letter starts cover a large share
 * of all messages), three letters cut a prefix search's walk by an order of magnitude for one
 * more posting per word (docs/search.md, "Measured").
 */
export const PREFIX_LENGTHS = [2, 3] as const;
export const prefixTerm = (word: string, length: number) => `~${[...word].slice(0, length).join("")}`;

/** The prefix term a search for words starting with `prefix` walks: the longest posted, none for one letter. */
export function longestPrefixTerm(prefix: string): string | undefined {
  const length = PREFIX_LENGTHS.findLast((n) => [...prefix].length >= n);
  return length ? prefixTerm(prefix, length) : undefined;
}

/** A posting's words are copied while they stay this small (one write unit with the rest); longer, the search reads the message. */
export const MAX_COPIED_WORDS_BYTES = 600;

const LINK = /\bhttps?:\/\/\S/i;

/** What a message has, for `has=`. */
export function hasOf(m: IndexedMessage): Has[] {
  const files = m.attachments ?? [];
  const out: Has[] = [];
  if (files.length) out.push("file");
  if (files.some((f) => f.contentType.startsWith("image/"))) out.push("image");
  if (LINK.test(m.content)) out.push("link");
  return out;
}

/** The month of a message id, as the postings' bucket: `YYYYMM`. */
export const bucketOfTime = (ms: number): string => new Date(ms).toISOString().slice(0, 7).replace("-", "");
export const bucketOf = (messageId: string): string => bucketOfTime(decodeTime(messageId));

/** Every term a message is found by: its words, their prefixes, and its filters. */
export function termsOf(m: IndexedMessage, sequence: readonly string[] = messageWords(m)): string[] {
  const terms = new Set<string>();
  for (const w of sequence) {
    if (w === BREAK) continue;
    terms.add(w);
    for (const n of PREFIX_LENGTHS) if ([...w].length >= n) terms.add(prefixTerm(w, n));
  }
  terms.add(filterTerm.from(m.authorId));
  for (const id of m.mentions ?? []) terms.add(filterTerm.mentions(id));
  for (const h of hasOf(m)) terms.add(filterTerm.has(h));
  return [...terms];
}

export interface Posting {
  scope: string;
  term: string;
  bucket: string;
  messageId: string;
  conversationId: string;
  authorId: string;
  mentions: string[];
  has: string[];
  words?: string[];
}

/** A message's postings in each of its scopes. */
export function postingsOf(m: IndexedMessage, conversationId: string, scopes: readonly string[]): Posting[] {
  const sequence = messageWords(m);
  const copied = Buffer.byteLength(JSON.stringify(sequence)) <= MAX_COPIED_WORDS_BYTES ? { words: sequence } : {};
  const bucket = bucketOf(m.messageId);
  const shared = { bucket, messageId: m.messageId, conversationId, authorId: m.authorId, mentions: [...(m.mentions ?? [])], has: hasOf(m), ...copied };
  return scopes.flatMap((scope) => termsOf(m, sequence).map((term) => ({ scope, term, ...shared })));
}

/** A posting's key, to compare an edit's old postings with its new ones. */
export const postingKey = (p: Pick<Posting, "scope" | "term" | "bucket" | "messageId">) => `${p.scope}\u0000${p.term}\u0000${p.bucket}\u0000${p.messageId}`;
