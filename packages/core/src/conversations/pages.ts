/**
 * What a conversation's reader gets: a page of its history (api.md "GET …/messages") and a page
 * of its change feed (api.md "Change feeds"), each message as its viewer sees it.
 */
import type { Stores } from "../attachments/files.ts";
import { present, type KnownAvatars } from "../attachments/present.ts";
import { readHistory, type HistoryWindow } from "../messages/history.ts";
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
  const [{ caller }, page] = await Promise.all([
    kind.enter(db, ref, input.userId),
    readHistory(input, ({ from, to, order, limit }) =>
      kind.messages
        .between(db, ref, from, to)
        .go({ order, limit, count: limit })
        .then((r) => r.data),
    ),
  ]);
  kind.requireTo(caller, "history");
  // The message `around` names is in this conversation, or the page is not there to show.
  if (input.around && !page.length) throw new AppError("not_found", "No such message.");
  return showMessages(stores, kind, ref, input.userId, page);
}

/** The conversation's changes after `since` (api.md "Change feeds"), for those who take part in it. */
export async function listChanges<T extends KindTypes>(
  stores: Stores,
  kind: ConversationKind<T>,
  ref: T["ref"],
  input: { userId: string; since?: string | undefined; limit: number },
): Promise<ChangesPage<T["view"]>> {
  const { db } = stores;
  const { caller, head } = await kind.enter(db, ref, input.userId);
  kind.requireTo(caller, "history");
  const page = await readChanges(db, {
    conversationId: kind.id(ref),
    head,
    since: input.since,
    limit: input.limit,
    current: (ids) => currentMessages(db, kind, ref, ids),
  });
  return presentChanges(page, (items) => showMessages(stores, kind, ref, input.userId, items));
}
