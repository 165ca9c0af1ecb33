/**
 * Reading the index (api.md "Search"): the postings of ONE term of the search, newest first,
 * month by month, each checked against everything else the search asks (its other words, its
 * phrases and prefixes, its filters, the caller's right to read the conversation) until the page
 * is full. The driving term is the one likely to have the fewest postings: the longest whole word,
 * else an author or a mention, else the longest prefix term (`~per` for `permission`), else a `has`.
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
  load(postings: SearchPostingItem[]): Promise<M[]>;
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

const ULID_LOW = "0000000000000000";
const ULID_HIGH = "ZZZZZZZZZZZZZZZZ";

/** A bound given as a message id or an ISO date, as an id to compare sort keys with. */
export function idBound(value: string, side: "before" | "after"): string {
  if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(value)) return value;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0 || ms > 281474976710655) throw new AppError("invalid_request", `${side} must be a message id or an ISO date.`);
  return encodeTime(ms, 10) + (side === "before" ? ULID_LOW : ULID_HIGH);
}

/** The term whose postings drive the search, and the clauses left to check. */
export function drivingTerm(clauses: readonly Clause[], f: SearchFilters): string {
  const whole = clauses.flatMap((c) => (c.prefix ? c.words.slice(0, -1) : c.words));
  const longest = whole.sort((a, b) => [...b].length - [...a].length)[0];
  if (longest) return longest;
  if (f.authorId) return filterTerm.from(f.authorId);
  if (f.mentions) return filterTerm.mentions(f.mentions);
  const prefixes = clauses.map((c) => c.words.at(-1)!).sort((a, b) => [...b].length - [...a].length);
  // A one-letter prefix alone has no prefix postings (docs/search.md): the word itself.
  if (prefixes[0]) return longestPrefixTerm(prefixes[0]) ?? prefixes[0];
  if (f.has) return filterTerm.has(f.has);
  throw new AppError("invalid_request", "Search for some words, an author, a mention or what messages have.");
}

/** Whether the message is still a match (the index may lag an edit by a moment). */
function matches(m: IndexedMessage, clauses: readonly Clause[], f: SearchFilters): boolean {
  if (f.authorId && m.authorId !== f.authorId) return false;
  if (f.mentions && !(m.mentions ?? []).includes(f.mentions)) return false;
  if (f.has && !hasOf(m).includes(f.has)) return false;
  return matchesAll(clauses, messageWords(m));
}

/** Whether a posting may be a match: what it carries, checked before the message is read. */
function mayMatch(p: SearchPostingItem, clauses: readonly Clause[], f: SearchFilters): boolean {
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
  const term = drivingTerm(clauses, f);
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
  const walk = postingsNewestFirst(db, where.scope, term, [...months(bucketOf(highest), bucketOfTime(decodeTime(lowest)))], lowest, highest);
  // Candidates are gathered until there are as many as the page still needs, then read in one
  // BatchGetItem: a posting carrying the message's words has been checked already, so nearly
  // every candidate is a match and a page usually costs one BatchGetItem, not one per Query.
  const candidates: SearchPostingItem[] = [];
  let walking = true;
  while (found.length < want) {
    const need = want - found.length;
    if (walking && candidates.length < need) {
      const step = await walk.next();
      if (step.done) walking = false;
      else candidates.push(...step.value.filter((p) => p.messageId !== upper && p.messageId !== lower && where.readable(p.conversationId) && mayMatch(p, clauses, f)));
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

type PostingsPage = { data: SearchPostingItem[]; cursor: string | null };

/**
 * One term's postings between two ids, newest first, a Query page at a time, month after month,
 * with the next months' first pages already in flight (`MOST_MONTHS_AHEAD`).
 */
async function* postingsNewestFirst(db: Db, scope: string, term: string, buckets: string[], lowest: string, highest: string): AsyncGenerator<SearchPostingItem[]> {
  const query = (bucket: string, limit: number, cursor: string | null): Promise<PostingsPage> =>
    db.entities.searchPostings.query.byTerm({ scope, term, bucket }).between({ messageId: lowest }, { messageId: highest }).go({ order: "desc", limit, cursor });
  const ahead: Promise<PostingsPage>[] = [];
  let started = 0;
  let window = 1;
  for (let i = 0; i < buckets.length; i++) {
    while (started < buckets.length && started - i < window) {
      const first = query(buckets[started++]!, FIRST_PAGE, null);
      // Read ahead and perhaps never awaited (the page filled first): its failure is nobody's.
      first.catch(() => undefined);
      ahead.push(first);
    }
    let page = await ahead.shift()!;
    yield page.data;
    for (let limit = FIRST_PAGE * 4; page.cursor; limit = Math.min(limit * 4, LAST_PAGE)) {
      page = await query(buckets[i]!, limit, page.cursor);
      yield page.data;
    }
    window = Math.min(window * 2, MOST_MONTHS_AHEAD);
  }
}
