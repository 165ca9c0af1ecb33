/**
 * Everything a page of messages needs beyond its items, resolved for the whole page at once: the
 * authors' current avatars (one BatchGetItem), signed URLs of attached files (signing is local,
 * no request), and which reactions are the viewer's (one Query of the viewer's reactions in that
 * conversation over the page's id range, only when the page has reactions).
 */
import type { DmMessageItem, MessageItem } from "../model/index.ts";
import type { MessageLinks } from "../views.ts";
import { getEach } from "../store/batches.ts";
import { fileUrl, imageUrlOf, signedOr, type Stores } from "./files.ts";

type AnyMessage = MessageItem | DmMessageItem;
const reactionKey = (messageId: string, emoji: string) => `${messageId} ${emoji}`;

/** Avatar keys already read (a user item at hand): `undefined` for a user who has none. */
export type KnownAvatars = ReadonlyMap<string, string | undefined>;

/**
 * The users' current avatar URLs (null for none): one BatchGetItem of their items, avatar key
 * only, for those whose key is not already `known`.
 */
export async function avatarUrls(stores: Stores, userIds: Iterable<string>, known: KnownAvatars = new Map()): Promise<Map<string, string | null>> {
  const all = [...new Set(userIds)];
  const ids = all.filter((id) => !known.has(id));
  const found = ids.length
    ? await getEach(
        ids.map((userId) => ({ userId })),
        (keys) => stores.db.entities.users.get(keys).go({ attributes: ["userId", "avatarKey"] }),
      )
    : [];
  const urls = new Map<string, string | null>(all.map((id) => [id, null]));
  const keys = [...found, ...[...known].map(([userId, avatarKey]) => ({ userId, avatarKey }))];
  await Promise.all(
    keys.map(async (u) => {
      if (u.avatarKey) urls.set(u.userId, await imageUrlOf(stores.files, u.avatarKey));
    }),
  );
  return urls;
}

/** The emoji the viewer reacted with, for messages of the conversation between two ids. */
async function viewerReactions(stores: Stores, viewerId: string, conversationId: string, messages: AnyMessage[]): Promise<Set<string>> {
  const ids = messages.filter((m) => m.reactions?.length).map((m) => m.messageId).sort();
  if (!ids.length) return new Set();
  const { data } = await stores.db.entities.reactions.query
    .byUser({ userId: viewerId, conversationId })
    // "~" sorts after every key of the newest message (ULIDs and "#" come before it).
    .between({ messageId: ids[0]! }, { messageId: `${ids.at(-1)!}~` })
    .go({ pages: "all", attributes: ["messageId", "emoji"] });
  return new Set(data.map((r) => reactionKey(r.messageId, r.emoji)));
}

export async function messageLinks(
  stores: Stores,
  viewerId: string,
  conversationId: string,
  messages: AnyMessage[],
  known?: KnownAvatars,
): Promise<MessageLinks> {
  const people = messages.flatMap((m) => (m.replyTo ? [m.authorId, m.replyTo.authorId] : [m.authorId]));
  const attached = messages.flatMap((m) => m.attachments ?? []);
  const [avatars, mine, urls] = await Promise.all([
    avatarUrls(stores, people, known),
    viewerReactions(stores, viewerId, conversationId, messages),
    Promise.all(attached.map(async (a) => [a.key, await signedOr(`the file ${JSON.stringify(a.key)}`, () => fileUrl(stores.files, a), "")] as const)).then(
      (e) => new Map(e),
    ),
  ]);
  return {
    avatar: (userId) => avatars.get(userId) ?? null,
    file: (a) => urls.get(a.key) ?? "",
    reacted: (messageId, emoji) => mine.has(reactionKey(messageId, emoji)),
  };
}

/**
 * `show` of each item, leaving out one it throws on, logged: an item a faulty writer or a hand
 * edit left broken costs the page that item, never the page (issue 21: one stored message took
 * down its conversation's history and feed for everyone).
 */
export function presentEach<I, V>(items: readonly I[], show: (item: I) => V, name: (item: I) => string): V[] {
  const shown: V[] = [];
  for (const item of items) {
    try {
      shown.push(show(item));
    } catch (e) {
      console.error(`could not present ${name(item)}; left out:`, e);
    }
  }
  return shown;
}

/** A page of messages as the viewer sees them; one that cannot be shown is left out (logged). */
export async function present<M extends AnyMessage, V>(
  stores: Stores,
  viewerId: string,
  conversationId: string,
  messages: M[],
  view: (m: M, links: MessageLinks) => V,
  known?: KnownAvatars,
): Promise<V[]> {
  const links = await messageLinks(stores, viewerId, conversationId, messages, known);
  return presentEach(messages, (m) => view(m, links), (m) => `message ${m.messageId} of ${conversationId}`);
}
