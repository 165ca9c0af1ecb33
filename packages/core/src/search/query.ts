/**
 * Reading the index (api.md "Search"): the postings of ONE term of the search, newest first,
 * month by month, each checked against everything else the search asks (its other words, its
 * phrases and prefixes, its filters, the caller's right to read the conversation) until the page
 * is full. The driving term is the one of the search's terms with the fewest postings where the
 * walk starts (`rarest`): a whole word, an author or a mention, a prefix term (`~per` for
 * `permission`), a `has`.
 */
import { decodeTime, encodeTime } from "ulid";
import { AppError } from "../errors.ts";
import type { Db, SearchPostingItem } from "../model/index.ts";
import { matchesAll, messageWords, parseQuery, type Clause } from "./words.ts";
import { bucketOf, bucketOfTime, filterTerm, hasOf, longestPrefixTerm, type Has, type IndexedMessage } from "./postings.ts";

export interface SearchFilters {
  q?: string | undefined;
  authorId?: string | undefined;
  /** A channel id or a DM conversation id. */
  conversationId?: string | undefined;
  mentions?: string | undefined;
  has?: Has | undefined;
  /** Message ids or ISO dates: only messages strictly before / after. */
  before?: string | undefined;
  after?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Where to search and what the caller may see there. */
export interface Scope<M extends IndexedMessage> {
  scope: string;
  /** No message of the scope is older than this (its server's or the caller's creation). */
  since: number;
  /** Whether the caller may read this conversation's messages now. */
  readable(conversationId: string): boolean;
  /** The current messages for these postings (a message deleted since is missing). */
  load(postings: SeenPosting[]): Promise<M[]>;
  conversationOf(m: M): string;
}

/**
 * Postings read by a month's first Query: enough to fill a page when most match, few enough to
 * stop early. A month that needs more is read in pages growing to `LAST_PAGE` (DynamoDB stops a
 * page at 1 MB anyway): a driving term much commoner than the search's matches is walked in a
 * few round trips instead of one per hundred postings.
 */
const FIRST_PAGE = 100;
const LAST_PAGE = 1600;
/**
 * How many months' first Queries are in flight at most. It starts at one and doubles each time
 * a month is read to its end without filling the page: a search whose matches are rare reads
 * its months side by side instead of one after another, and one that fills its page from the
 * newest month reads nothing more.
 */
const MOST_MONTHS_AHEAD = 8;
/** A page read because the caller said it needs only a few more postings still reads this many. */
const SMALLEST_PAGE = 25;
/** How many of a search's terms are read to find the rarest (search/query.ts `rarest`). */
const MOST_PROBED = 4;

const ULID_LOW = "0000000000000000";
const ULID_HIGH = "ZZZZZZZZZZZZZZZZ";

/** A bound given as a message id or an ISO date, as an id to compare sort keys with. */
export function idBound(value: string, side: "before" | "after"): string {
  if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(value)) return value;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0 || ms > 281474976710655) throw new AppError("invalid_request", `${side} must be a message id or an ISO date.`);
  return encodeTime(ms, 10) + (side === "before" ? ULID_LOW : ULID_HIGH);
}

/**
 * The terms every match has a posting under, in the order they are likely rarest: the whole words,
 * longest first (long words are rare), the author and the mention, the prefix terms (`~abc`
 * before `~ab`), what messages have. Any of them can drive the search; which is rarest in this
 * scope is found by reading each one's newest month (`rarest`). A one-letter prefix has no prefix
 * term: alone, with no other word nor filter, the letter itself is walked, so it is found as a
 * whole word only (docs/search.md, "One letter").
 */
export function drivingTerms(clauses: readonly Clause[], f: SearchFilters): string[] {
  const byLength = (a: string, b: string) => [...b].length - [...a].length;
  const whole = [...new Set(clauses.flatMap((c) => (c.prefix ? c.words.slice(0, -1) : c.words)))].sort(byLength);
  const prefixes = clauses.filter((c) => c.prefix).map((c) => c.words.at(-1)!).sort(byLength);
  const prefixTerms = [...new Set(prefixes.map(longestPrefixTerm).filter((t): t is string => !!t))].sort(byLength);
  const terms = [
    ...whole,
    ...(f.authorId ? [filterTerm.from(f.authorId)] : []),
    ...(f.mentions ? [filterTerm.mentions(f.mentions)] : []),
    ...prefixTerms,
    ...(f.has ? [filterTerm.has(f.has)] : []),
  ];
  if (terms.length) return terms;
  if (prefixes[0]) return [prefixes[0]];
  throw new AppError("invalid_request", "Search for some words, an author, a mention or what messages have.");
}

/** The term whose postings drive the search when nothing is known of the scope: the likeliest rarest. */
export const drivingTerm = (clauses: readonly Clause[], f: SearchFilters): string => drivingTerms(clauses, f)[0]!;

/** Whether the message is still a match (the index may lag an edit by a moment). */
function matches(m: IndexedMessage, clauses: readonly Clause[], f: SearchFilters): boolean {
  if (f.authorId && m.authorId !== f.authorId) return false;
  if (f.mentions && !(m.mentions ?? []).includes(f.mentions)) return false;
  if (f.has && !hasOf(m).includes(f.has)) return false;
  return matchesAll(clauses, messageWords(m));
}

/**
 * What a search reads of a posting: what it checks. A projection: the keys, and the scope, term and
 * month they repeat, stay behind (a third of a short message's posting).
 */
const SEEN = ["messageId", "conversationId", "authorId", "mentions", "has", "words"] as const;
export type SeenPosting = Pick<SearchPostingItem, (typeof SEEN)[number]>;

/** Whether a posting may be a match: what it carries, checked before the message is read. */
function mayMatch(p: SeenPosting, clauses: readonly Clause[], f: SearchFilters): boolean {
  if (f.conversationId && p.conversationId !== f.conversationId) return false;
  if (f.authorId && p.authorId !== f.authorId) return false;
  if (f.mentions && !p.mentions.includes(f.mentions)) return false;
  if (f.has && !p.has.includes(f.has)) return false;
  return !p.words || matchesAll(clauses, p.words);
}

/** The months from `high`'s down to `low`'s, newest first. */
function* months(high: string, low: string): Generator<string> {
  let y = Number(high.slice(0, 4));
  let m = Number(high.slice(4));
  for (;;) {
    const bucket = `${y}${String(m).padStart(2, "0")}`;
    if (bucket < low) return;
    yield bucket;
    if (--m === 0) [y, m] = [y - 1, 12];
  }
}

/** A page of matches, newest first, and the cursor of the next page (null: none left). */
export async function searchScope<M extends IndexedMessage>(db: Db, where: Scope<M>, f: SearchFilters): Promise<{ messages: M[]; cursor: string | null }> {
  const clauses = f.q ? parseQuery(f.q) : [];
  if (f.q && !clauses.length) throw new AppError("invalid_request", "q must hold at least one letter or digit.");
  const terms = drivingTerms(clauses, f);
  const bounds = [f.cursor, f.before && idBound(f.before, "before")].filter((b): b is string => !!b).sort();
  const upper = bounds[0];
  const lower = f.after ? idBound(f.after, "after") : undefined;
  // No message is newer than now (a minute of clock skew aside) nor older than its scope (a day
  // of skew aside): bounds beyond those would only add months of empty partitions to read.
  const newest = encodeTime(Date.now() + 60_000, 10) + ULID_HIGH;
  const oldest = encodeTime(Math.max(0, where.since - 86_400_000), 10) + ULID_LOW;
  const highest = upper && upper < newest ? upper : newest;
  const lowest = lower && lower > oldest ? lower : oldest;
  if (lowest >= highest) return { messages: [], cursor: null };
  const found: M[] = [];
  const want = f.limit + 1;
  const query: PostingsQuery = (term, bucket, limit, cursor) =>
    db.entities.searchPostings.query
      .byTerm({ scope: where.scope, term, bucket })
      .between({ messageId: lowest }, { messageId: highest })
      .go({ order: "desc", limit, cursor, attributes: SEEN });
  const buckets = [...months(bucketOf(highest), bucketOfTime(decodeTime(lowest)))];
  const { term, first } = await rarest(query, terms, buckets[0]!);
  const walk = postingsNewestFirst(query, term, buckets, first);
  // Candidates are gathered until there are as many as the page still needs, then read in one
  // BatchGetItem: a posting carrying the message's words has been checked already, so nearly
  // every candidate is a match and a page usually costs one BatchGetItem, not one per Query.
  const candidates: SeenPosting[] = [];
  let walking = true;
  let read = 0;
  let kept = 0;
  while (found.length < want) {
    const need = want - found.length;
    if (walking && candidates.length < need) {
      // The next Query reads about as many postings as the share kept so far says the page still
      // needs (a quarter more), not a fixed page: the last page of a walk stops near where it is full.
      const step = await walk.next(kept ? Math.ceil(((need - candidates.length) * read * 1.25) / kept) + 10 : undefined);
      if (step.done) walking = false;
      else {
        const ok = step.value.filter((p) => p.messageId !== upper && p.messageId !== lower && where.readable(p.conversationId) && mayMatch(p, clauses, f));
        read += step.value.length;
        kept += ok.length;
        candidates.push(...ok);
      }
      continue;
    }
    if (!candidates.length) break;
    const checked = candidates.splice(0, need);
    const loaded = new Map((await where.load(checked)).map((m) => [m.messageId, m]));
    for (const p of checked) {
      const m = loaded.get(p.messageId);
      if (m && where.readable(where.conversationOf(m)) && matches(m, clauses, f)) found.push(m);
    }
  }
  await walk.return(undefined);
  const messages = found.slice(0, f.limit);
  return { messages, cursor: found.length > f.limit ? messages.at(-1)!.messageId : null };
}

type PostingsPage = { data: SeenPosting[]; cursor: string | null };
type PostingsQuery = (term: string, bucket: string, limit: number, cursor: string | null) => Promise<PostingsPage>;

/**
 * Which of the terms has the fewest postings where the walk starts: each one's first page of the
 * newest month, read side by side. A month read whole (no cursor) with the fewest postings is
 * rarest; else the full page reaching furthest back. A search of several words (or a word and
 * a filter) walks the rarest of them, not the longest: a phrase of two common words walks
 * the less common, a word that is rare here walks its few postings. The page read is the walk's first.
 */
async function rarest(query: PostingsQuery, terms: string[], bucket: string): Promise<{ term: string; first?: PostingsPage }> {
  if (terms.length === 1) return { term: terms[0]! };
  const probed = terms.slice(0, MOST_PROBED);
  const pages = await Promise.all(probed.map((term) => query(term, bucket, FIRST_PAGE, null)));
  // Rank: a whole month before a full page; then fewer postings, or the oldest last posting.
  const rank = (p: PostingsPage): [number, string] => (p.cursor ? [1, p.data.at(-1)?.messageId ?? ""] : [0, String(p.data.length).padStart(4, "0")]);
  let best = 0;
  for (let i = 1; i < pages.length; i++) {
    const [a, b] = [rank(pages[i]!), rank(pages[best]!)];
    if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) best = i;
  }
  return { term: probed[best]!, first: pages[best]! };
}

/**
 * One term's postings between two ids, newest first, a Query page at a time, month after month,
 * with the next months' first pages already in flight (`MOST_MONTHS_AHEAD`). The newest month's
 * first page may be read already (`first`). Each further page of a month reads what the caller
 * says it still needs (the argument of `next`), at most four times the page before.
 */
async function* postingsNewestFirst(query: PostingsQuery, term: string, buckets: string[], first?: PostingsPage): AsyncGenerator<SeenPosting[], void, number | undefined> {
  const ahead: Promise<PostingsPage>[] = first ? [Promise.resolve(first)] : [];
  let started = ahead.length;
  let window = 1;
  for (let i = 0; i < buckets.length; i++) {
    while (started < buckets.length && started - i < window) {
      const page = query(term, buckets[started++]!, FIRST_PAGE, null);
      // Read ahead and perhaps never awaited (the page filled first): its failure is nobody's.
      page.catch(() => undefined);
      ahead.push(page);
    }
    let page = await ahead.shift()!;
    let wanted = yield page.data;
    for (let most = FIRST_PAGE * 4; page.cursor; most = Math.min(most * 4, LAST_PAGE)) {
      page = await query(term, buckets[i]!, Math.max(SMALLEST_PAGE, Math.min(most, wanted ?? most)), page.cursor);
      wanted = yield page.data;
    }
    window = Math.min(window * 2, MOST_MONTHS_AHEAD);
  }
}
