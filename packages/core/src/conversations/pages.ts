/**
 * What a conversation's reader gets: a page of its history (api.md "GET …/messages") and a page
 * of its change feed (api.md "Change feeds"), each message as its viewer sees it.
 */
import type { Stores } from "../attachments/files.ts";
import type { Db } from "../model/index.ts";
import { present, type KnownAvatars } from "../attachments/present.ts";
import { readHistory, type HistoryWindow, type RangeQuery } from "../messages/history.ts";
import type { ChangesPage } from "../views.ts";
import { AppError } from "../errors.ts";
import type { ConversationKind, KindTypes } from "./kind.ts";
import { currentMessages, presentChanges, readChanges } from "./feed.ts";

/** Messages of the conversation as their viewer sees them (avatars, file URLs, their own reactions), for the page at once. */
export const showMessages = <T extends KindTypes>(
  stores: Stores,
  kind: ConversationKind<T>,
  ref: T["ref"],
  viewerId: string,
  items: T["message"][],
  known?: KnownAvatars,
): Promise<T["view"][]> => present(stores, viewerId, kind.id(ref), items, kind.view, known);

export const showMessage = async <T extends KindTypes>(stores: Stores, kind: ConversationKind<T>, ref: T["ref"], viewerId: string, item: T["message"], known?: KnownAvatars) =>
  (await showMessages(stores, kind, ref, viewerId, [item], known))[0]!;

/** The author's avatar key, from the user item read alongside the other reads of a send. */
export const avatarOf = (userId: string, user: { avatarKey?: string | undefined } | null): KnownAvatars => new Map([[userId, user?.avatarKey]]);

/** A range of the conversation's messages; `consistent` for a page that must hold every message its head counts. */
const rangeOf =
  <T extends KindTypes>(db: Db, kind: ConversationKind<T>, ref: T["ref"], consistent = false): RangeQuery<T["message"]> =>
  ({ from, to, order, limit }) =>
    kind.messages
      .between(db, ref, from, to)
      .go({ order, limit, count: limit, consistent })
      .then((r) => r.data);

/**
 * A page of history, oldest first. The Query runs alongside the caller's check (it reveals
 * nothing unless the check passes), so a page costs one round trip of latency.
 */
export async function listMessages<T extends KindTypes>(
  stores: Stores,
  kind: ConversationKind<T>,
  ref: T["ref"],
  input: { userId: string } & HistoryWindow,
): Promise<T["view"][]> {
  const { db } = stores;
  const [{ caller }, page] = await Promise.all([kind.enter(db, ref, input.userId), readHistory(input, rangeOf(db, kind, ref))]);
  kind.requireTo(caller, "history");
  // The message `around` names is in this conversation, or the page is not there to show.
  if (input.around && !page.length) throw new AppError("not_found", "No such message.");
  return showMessages(stores, kind, ref, input.userId, page);
}

/**
 * The conversation's changes after `since` (api.md "Change feeds"), for those who take part in it.
 * With `newest` (and no `since`), also its newest messages: read after the head, strongly
 * consistent, so every change the head counts is on that page and every later one comes after
 * the cursor — a client's first page and its feed position in one request.
 */
export async function listChanges<T extends KindTypes>(
  stores: Stores,
  kind: ConversationKind<T>,
  ref: T["ref"],
  input: { userId: string; since?: string | undefined; limit: number; newest?: number | undefined },
): Promise<ChangesPage<T["view"]>> {
  const { db } = stores;
  const { caller, head } = await kind.enter(db, ref, input.userId);
  kind.requireTo(caller, "history");
  const show = (items: T["message"][]) => showMessages(stores, kind, ref, input.userId, items);
  const [page, newest] = await Promise.all([
    readChanges(db, {
      conversationId: kind.id(ref),
      head,
      since: input.since,
      limit: input.limit,
      current: (ids) => currentMessages(db, kind, ref, ids),
    }).then((p) => presentChanges(p, show)),
    input.newest === undefined ? undefined : readHistory({ limit: input.newest }, rangeOf(db, kind, ref, true)).then(show),
  ]);
  return newest ? { ...page, messages: newest } : page;
}
