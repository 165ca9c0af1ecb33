/**
 * Who a message mentions (api.md "Read state, unread, mentions"): `@username`, case-insensitive,
 * resolved through the username guards and, in a channel, only members; `@everyone` from the
 * server's owner. Each mention is an item (model/readStates.ts) written in the message's own
 * transaction, so a mention count is one Query and never a read per recipient at fan-out.
 */
import type { Db, UniqueKind } from "../model/index.ts";
import { EVERYONE } from "../model/index.ts";
import { foldCase } from "../store/keys.ts";
import { getEach } from "../store/batches.ts";
import type { Write, WriteEntities } from "../store/transactions.ts";

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

/** The ids of the mentioned members of the server: one BatchGet of the username guards, one of the memberships. */
export async function channelMentions(db: Db, serverId: string, content: string): Promise<string[]> {
  const names = mentionedNames(content);
  if (!names.length) return [];
  const guards = await getEach(
    names.map((value): { kind: UniqueKind; value: string } => ({ kind: "username", value })),
    (keys) => db.entities.uniques.get(keys).go({ attributes: ["value", "holderId"] }),
  );
  const userIds = [...new Set(guards.map((g) => g.holderId))];
  if (!userIds.length) return [];
  const members = await getEach(
    userIds.map((userId) => ({ serverId, userId })),
    (keys) => db.entities.members.get(keys).go({ attributes: ["userId"] }),
  );
  const isMember = new Set(members.map((m) => m.userId));
  // In the order the content names them.
  const byName = new Map(guards.map((g) => [g.value, g.holderId]));
  return [...new Set(names.flatMap((n) => (isMember.has(byName.get(n) ?? "") ? [byName.get(n)!] : [])))];
}

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
