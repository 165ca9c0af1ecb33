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
  mentionRoles?: readonly string[] | undefined;
}

/**
 * Who gets a mention item, and the roles it carries: the mentioned (never the author, for naming
 * themselves), and `EVERYONE` once, for `@everyone` (no roles: it counts for all) or else for the
 * roles mentioned (it counts for their holders). A member named and holding a mentioned role has
 * two items of one message: counted once (conversations/readState.ts).
 */
function mentionTargets(m: Pick<Mentioning, "authorId" | "mentions" | "mentionsEveryone" | "mentionRoles">): Map<string, readonly string[] | undefined> {
  const targets = new Map<string, readonly string[] | undefined>(m.mentions.filter((id) => id !== m.authorId).map((id) => [id, undefined]));
  if (m.mentionsEveryone) targets.set(EVERYONE, undefined);
  else if (m.mentionRoles?.length) targets.set(EVERYONE, m.mentionRoles);
  return targets;
}

/** The users (and `EVERYONE`) a stored message has mention items under: what deleting it removes. */
export const mentionItemsOf = (m: Pick<Mentioning, "authorId" | "mentions" | "mentionsEveryone" | "mentionRoles">): string[] => [...mentionTargets(m).keys()];

const sameRoles = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((r) => (b ?? []).includes(r));

/**
 * The named writes that move a message's mention items from `before` (absent: new) to `after`
 * (absent: deleted). An item kept with other roles is put again (a put replaces it: one write).
 */
export function mentionWrites(
  tx: WriteEntities,
  conversationId: string,
  before: Mentioning | null,
  after: Mentioning | null,
): Record<string, Write> {
  const old = before ? mentionTargets(before) : new Map<string, readonly string[] | undefined>();
  const next = after ? mentionTargets(after) : new Map<string, readonly string[] | undefined>();
  const { messageId, authorId } = (after ?? before)!;
  return Object.fromEntries([
    ...[...old.keys()]
      .filter((u) => !next.has(u))
      .map((userId) => [`unmention ${userId}`, tx.mentions.delete({ conversationId, userId, messageId }).commit()]),
    ...[...next]
      .filter(([u, roleIds]) => !old.has(u) || !sameRoles(old.get(u), roleIds))
      .map(([userId, roleIds]) => [
        `mention ${userId}`,
        tx.mentions.put({ conversationId, userId, messageId, authorId, ...(roleIds ? { roleIds: [...roleIds] } : {}) }).commit(),
      ]),
  ]);
}
