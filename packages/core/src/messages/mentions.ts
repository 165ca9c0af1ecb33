/**
 * Who a message mentions (api.md "Read state, unread, mentions"): the names `@username` the
 * content spells, and `@everyone`. Whom they name depends on the conversation (a channel resolves
 * them among its server's members: conversations/kinds/channel.ts). Each mention is an item
 * (model/readStates.ts) written in the message's own transaction, so a mention count is one
 * Query and never a read per recipient at fan-out.
 */
import type { Write, WriteEntities } from "../model/index.ts";
import { EVERYONE } from "../model/index.ts";
import { foldCase } from "../store/keys.ts";

/**
 * At most this many distinct names are looked up per message (the rest stay plain text): it
 * bounds the lookups and keeps an edit's mention items (old ones removed, new ones added) well
 * inside a transaction's 100 items.
 */
export const MAX_MENTIONED_NAMES = 40;

// A mention starts where a username could not continue, and is a username's characters.
const MENTION = /(?<![A-Za-z0-9_.-])@([A-Za-z0-9_.-]{2,32})/g;
const EVERYONE_MENTION = /(?<![A-Za-z0-9_.-])@everyone(?![A-Za-z0-9_.-])/i;

/**
 * The folded names the content mentions, in order of first appearance. A name ending in `.` or
 * `-` also tries without them ("thanks @bob." names bob; "@bob." is also a possible username).
 */
export function mentionedNames(content: string): string[] {
  const names = new Set<string>();
  for (const [, name] of content.matchAll(MENTION)) {
    const folded = foldCase(name!);
    if (folded === EVERYONE) continue;
    const trimmed = folded.replace(/[.-]+$/, "");
    for (const n of [folded, trimmed]) if (n.length >= 2 && names.size < MAX_MENTIONED_NAMES) names.add(n);
  }
  return [...names];
}

export const mentionsEveryoneIn = (content: string) => EVERYONE_MENTION.test(content);

interface Mentioning {
  messageId: string;
  authorId: string;
  mentions: readonly string[];
  mentionsEveryone: boolean;
}

/** Who gets a mention item: the mentioned (never the author, for naming themselves), and `EVERYONE` once. */
const mentionTargets = (m: Pick<Mentioning, "authorId" | "mentions" | "mentionsEveryone">) => [
  ...m.mentions.filter((id) => id !== m.authorId),
  ...(m.mentionsEveryone ? [EVERYONE] : []),
];

/** The named writes that move a message's mention items from `before` (absent: new) to `after` (absent: deleted). */
export function mentionWrites(
  tx: WriteEntities,
  conversationId: string,
  before: Mentioning | null,
  after: Mentioning | null,
): Record<string, Write> {
  const old = new Set(before ? mentionTargets(before) : []);
  const next = new Set(after ? mentionTargets(after) : []);
  const { messageId, authorId } = (after ?? before)!;
  return Object.fromEntries([
    ...[...old]
      .filter((u) => !next.has(u))
      .map((userId) => [`unmention ${userId}`, tx.mentions.delete({ conversationId, userId, messageId }).commit()]),
    ...[...next]
      .filter((u) => !old.has(u))
      .map((userId) => [`mention ${userId}`, tx.mentions.put({ conversationId, userId, messageId, authorId }).commit()]),
  ]);
}
