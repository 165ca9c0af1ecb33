/**
 * Reactions: one `reaction` item per user, emoji and message (who reacted, paged in user-id
 * order), and on the message itself each emoji's count in first-added order (what every view
 * shows). Both change in one transaction, conditioned on the message's `revision` being the one
 * read: of two racing changes one commits and the other re-reads and tries again, so the counts
 * always equal the items, and every change grows the revision (the change feed's rule).
 */
import type { DmMessageItem, MessageItem, ReactionItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { nowIso } from "../store/time.ts";
import { transact } from "../store/transactions.ts";
import type { Stores } from "../attachments/files.ts";
import { avatarUrls } from "../attachments/present.ts";
import { userView, type User } from "../views.ts";
import { visibleMessage } from "./channel.ts";
import { visibleDmMessage } from "./direct.ts";

/** A message carries at most this many different emoji. */
export const MAX_DISTINCT_EMOJI = 20;

/**
 * One RGI emoji (Unicode's recommended-for-general-interchange set, as Node's `\p{RGI_Emoji}`
 * knows it): a pictograph with its modifiers and joiners (skin tones, ZWJ families), a flag, a
 * keycap. Not text, not two emoji, and not an emoji component on its own (a bare skin tone or
 * hair style, which RGI lists but emoji-test.txt marks "component", not an emoji to send).
 */
const RGI_EMOJI = /^\p{RGI_Emoji}$/v;
const LONE_COMPONENT = /^\p{Emoji_Component}$/u;
export const isEmoji = (s: string) => s.length <= 64 && RGI_EMOJI.test(s) && !LONE_COMPONENT.test(s);

export function assertEmoji(emoji: string) {
  if (!isEmoji(emoji)) {
    const message = "Not an emoji: use exactly one emoji (flags, keycaps, skin tones and joined emoji count as one).";
    throw new AppError("invalid_request", message, { issues: [{ path: "emoji", message }] });
  }
}

type Counts = { emoji: string; count: number }[];
type Change = "added" | "removed";

/** The outcome of a PUT or DELETE: null when it changed nothing (already so). */
export type ReactionOutcome = { change: Change; count: number; revision: number } | null;

/** How the channel and the DM versions reach their message. */
interface Target {
  conversationId: string;
  messageId: string;
  read(): Promise<MessageItem | DmMessageItem | null>;
  reactor: { userId: string; username: string; userCreatedAt: string };
  /** The message's update in the transaction: counts and revision, if the revision is still `from`. */
  update(tx: Tx, set: { reactions: Counts; revision: number }, from: number | undefined): Commit;
}

type Tx = Parameters<Parameters<Stores["db"]["transaction"]["write"]>[0]>[0];
type Commit = ReturnType<ReturnType<Tx["reactions"]["delete"]>["commit"]>;

function nextCounts(counts: Counts, emoji: string, change: Change): Counts {
  const at = counts.findIndex((r) => r.emoji === emoji);
  if (change === "added") {
    if (at >= 0) return counts.map((r, i) => (i === at ? { emoji, count: r.count + 1 } : r));
    if (counts.length >= MAX_DISTINCT_EMOJI) {
      const message = `A message can carry at most ${MAX_DISTINCT_EMOJI} different emoji.`;
      throw new AppError("invalid_request", message, { issues: [{ path: "emoji", message }] });
    }
    return [...counts, { emoji, count: 1 }];
  }
  if (at < 0) return counts;
  const left = counts[at]!.count - 1;
  return left > 0 ? counts.map((r, i) => (i === at ? { emoji, count: left } : r)) : counts.filter((_, i) => i !== at);
}

/**
 * `first` is the message as the access check read it: the first attempt starts from it (no
 * extra read); a lost race re-reads it, consistently.
 */
async function applyReaction(stores: Stores, target: Target, first: MessageItem | DmMessageItem, emoji: string, change: Change): Promise<ReactionOutcome> {
  const key = { conversationId: target.conversationId, messageId: target.messageId, emoji, userId: target.reactor.userId };
  for (let attempt = 1; attempt <= 10; attempt++) {
    const message = attempt === 1 ? first : await target.read();
    if (!message) throw new AppError("not_found", "No such message.");
    const counts = nextCounts(message.reactions ?? [], emoji, change);
    const from = message.revision;
    const revision = (from ?? 1) + 1;
    const codes = await transact(() =>
      stores.db.transaction
        .write((tx) => [
          change === "added"
            ? tx.reactions.create({ ...key, ...target.reactor, createdAt: nowIso() } satisfies ReactionItem).commit()
            : tx.reactions.delete(key).where((a, op) => op.exists(a.userId)).commit(),
          target.update(tx, { reactions: counts, revision }, from),
        ])
        .go(),
    );
    if (!codes) return { change, count: counts.find((r) => r.emoji === emoji)?.count ?? 0, revision };
    // The reaction is already there (or already gone): nothing to change, and that is a success.
    if (codes[0] === "ConditionalCheckFailed") return null;
    if (codes[1] !== "ConditionalCheckFailed") throw new Error(`reaction transaction canceled: ${codes.join(",")}`);
    // The message changed since it was read (or was deleted): read it again.
    await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
  }
  throw new Error("reaction: the message kept changing; gave up after 10 attempts");
}

const revisionIs = (from: number | undefined) => (a: { revision: unknown }, op: { eq: (a: unknown, v: number) => string; notExists: (a: unknown) => string }) =>
  from === undefined ? op.notExists(a.revision) : op.eq(a.revision, from);

function channelTarget(stores: Stores, input: ChannelReaction, member: { userId: string; username: string; userCreatedAt: string }): Target {
  const key = { channelId: input.channelId, messageId: input.messageId };
  return {
    conversationId: input.channelId,
    messageId: input.messageId,
    reactor: { userId: member.userId, username: member.username, userCreatedAt: member.userCreatedAt },
    read: () => stores.db.entities.messages.get(key).go({ consistent: true }).then((r) => r.data),
    update: (tx, set, from) => tx.messages.patch(key).set(set).where(revisionIs(from) as never).commit() as unknown as Commit,
  };
}

interface ChannelReaction { serverId: string; channelId: string; messageId: string; userId: string; emoji: string }
interface DmReaction { conversationId: string; messageId: string; userId: string; emoji: string }

/** PUT/DELETE …/channels/:cid/messages/:mid/reactions/:emoji/me (members). */
export async function setChannelReaction(stores: Stores, input: ChannelReaction, change: Change): Promise<ReactionOutcome> {
  assertEmoji(input.emoji);
  const { member, message } = await visibleMessage(stores.db, input);
  return applyReaction(stores, channelTarget(stores, input, member), message, input.emoji, change);
}

/** PUT/DELETE /dms/:id/messages/:mid/reactions/:emoji/me (participants). */
export async function setDmReaction(
  stores: Stores,
  input: DmReaction,
  change: Change,
): Promise<{ outcome: ReactionOutcome; participantIds: [string, string] }> {
  assertEmoji(input.emoji);
  const { conversation, message, participantIds } = await visibleDmMessage(stores.db, input);
  const me = conversation.first.id === input.userId ? conversation.first : conversation.second;
  const key = { conversationId: input.conversationId, messageId: input.messageId };
  const target: Target = {
    ...key,
    reactor: { userId: me.id, username: me.username, userCreatedAt: me.createdAt },
    read: () => stores.db.entities.dmMessages.get(key).go({ consistent: true }).then((r) => r.data),
    update: (tx, set, from) => tx.dmMessages.patch(key).set(set).where(revisionIs(from) as never).commit() as unknown as Commit,
  };
  return { outcome: await applyReaction(stores, target, message, input.emoji, change), participantIds };
}

/** Who reacted with the emoji, in user-id order, `limit` after `after`: one Query (+ their avatars). */
async function reactors(
  stores: Stores,
  input: { conversationId: string; messageId: string; emoji: string; limit: number; after?: string | undefined },
): Promise<User[]> {
  const { conversationId, messageId, emoji, limit, after } = input;
  // BETWEEN on whole keys: a prefix match on 👍 would also match 👍🏽.
  const { data } = await stores.db.entities.reactions.query
    .byMessage({ conversationId, messageId })
    .between({ emoji, userId: after ?? "0" }, { emoji, userId: "~" })
    .go({ limit: limit + 1 });
  const page = data.filter((r) => r.userId !== after).slice(0, limit);
  const avatars = await avatarUrls(stores, page.map((r) => r.userId));
  return page.map((r) => userView({ userId: r.userId, username: r.username, createdAt: r.userCreatedAt }, avatars.get(r.userId) ?? null));
}

export async function listChannelReactors(
  stores: Stores,
  input: { serverId: string; channelId: string; messageId: string; userId: string; emoji: string; limit: number; after?: string | undefined },
): Promise<User[]> {
  assertEmoji(input.emoji);
  const [, users] = await Promise.all([visibleMessage(stores.db, input), reactors(stores, { ...input, conversationId: input.channelId })]);
  return users;
}

export async function listDmReactors(
  stores: Stores,
  input: { conversationId: string; messageId: string; userId: string; emoji: string; limit: number; after?: string | undefined },
): Promise<User[]> {
  assertEmoji(input.emoji);
  const [, users] = await Promise.all([visibleDmMessage(stores.db, input), reactors(stores, input)]);
  return users;
}
