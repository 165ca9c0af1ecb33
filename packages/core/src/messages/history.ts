/**
 * Paging of a message history (channel or DM) whose sort key is the ULID message id.
 * The key range is always closed on both sides, so other entities sharing the partition
 * (a channel's subscriptions) never fall into a page.
 */
export interface HistoryWindow {
  limit: number;
  /** The newest `limit` messages older than this id. */
  before?: string | undefined;
  /** The oldest `limit` messages newer than this id (catch-up after a reconnect). */
  after?: string | undefined;
  /** This message and up to `limit` around it: half of them older, half newer (api.md "Search": `around=`). */
  around?: string | undefined;
}

/** Below every ULID, and above every ULID (Crockford base32 stops at 'Z'). */
const LOWEST = "0";
const HIGHEST = "~";

/**
 * Up to `limit` items of the range, in `order`. A single DynamoDB Query stops at 1 MB, which 100
 * messages of 16 KiB exceed, so implementations follow LastEvaluatedKey until they have `limit`
 * (ElectroDB's `count` option): a page holds `limit` messages whenever that many exist.
 */
export type RangeQuery<T> = (range: { from: string; to: string; order: "asc" | "desc"; limit: number }) => Promise<T[]>;

/** One range read (one Query, more when 1 MB cuts it); the page comes back oldest first, as the contract wants. */
export async function readHistory<T extends { messageId: string }>(window: HistoryWindow, query: RangeQuery<T>): Promise<T[]> {
  const { limit, before, after, around } = window;
  if (around) return readAround(around, limit, query);
  if (after) {
    // BETWEEN is inclusive: ask for one more and drop the cursor itself.
    const items = await query({ from: after, to: HIGHEST, order: "asc", limit: limit + 1 });
    return items.filter((m) => m.messageId !== after).slice(0, limit);
  }
  const items = await query({ from: LOWEST, to: before ?? HIGHEST, order: "desc", limit: before ? limit + 1 : limit });
  return items.filter((m) => m.messageId !== before).slice(0, limit).reverse();
}

/**
 * The message and the messages around it, oldest first: two range reads side by side, each
 * holding the message itself (BETWEEN is inclusive). The older half gets the odd one, since a
 * reader opened at an old message more often scrolls up than down. Empty when the message is
 * not in the range: the caller answers 404.
 */
async function readAround<T extends { messageId: string }>(around: string, limit: number, query: RangeQuery<T>): Promise<T[]> {
  const older = Math.ceil(limit / 2);
  const newer = limit - older;
  const [down, up] = await Promise.all([
    query({ from: LOWEST, to: around, order: "desc", limit: older + 1 }),
    query({ from: around, to: HIGHEST, order: "asc", limit: newer + 1 }),
  ]);
  if (down[0]?.messageId !== around) return [];
  return [...down.slice(1, older + 1).reverse(), down[0], ...up.filter((m) => m.messageId !== around).slice(0, newer)];
}
