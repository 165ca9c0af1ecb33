/**
 * Reactions: one `reaction` item per user, emoji and message (who reacted, paged in user-id
 * order), and on the message itself each emoji's count in first-added order (what every view
 * shows). Both change in one transaction with the conversation's change feed (changes.ts).
 */
import type { DmMessageItem, MessageItem, ReactionItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { nowIso } from "../store/time.ts";
import type { WriteEntities } from "../store/transactions.ts";
import type { Stores } from "../attachments/files.ts";
import { avatarUrls } from "../attachments/present.ts";
import { userView, type User } from "../views.ts";
import { channelOf, currentMessage, memberInChannel } from "./channel.ts";
import { currentDmMessage, dmOf, participantsConversation } from "./direct.ts";
import { commitChange, conversationIdOf, headOf, revisionOf, type Conversation, type Head } from "./changes.ts";

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
export type ReactionOutcome = { change: Change; count: number; cursor: string } | null;

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

type Reactor = { userId: string; username: string; userCreatedAt: string };

/**
 * One reaction change, through the change feed's primitive: the message's counts (and revision)
 * and the reaction item commit together with the conversation's next feed position, so the
 * counts always equal the items and the change reaches `/changes` and carries a cursor. The
 * message is read inside the change (after the head), so what the counts are built on is what
 * they replace. The reaction item's condition (absent for a PUT, present for a DELETE) makes a
 * repeat change nothing.
 */
async function applyReaction(
  stores: Stores,
  input: { conversation: Conversation; head: Head; messageId: string; emoji: string; reactor: Reactor; change: Change },
  read: () => Promise<MessageItem | DmMessageItem>,
): Promise<ReactionOutcome> {
  const { conversation, messageId, emoji, reactor, change } = input;
  const key = { conversationId: conversationIdOf(conversation), messageId, emoji, userId: reactor.userId };
  const result = await commitChange(
    stores.db,
    conversation,
    async () => {
      const message = await read();
      const reactions = nextCounts(message.reactions ?? [], emoji, change);
      return {
        messageId,
        message: { kind: "updated" as const, revision: revisionOf(message), set: { reactions } },
        also: (tx: WriteEntities) => ({
          reaction:
            change === "added"
              ? tx.reactions.create({ ...key, ...reactor, createdAt: nowIso(stores.db.clock) } satisfies ReactionItem).commit()
              : tx.reactions.delete(key).where((a, op) => op.exists(a.userId)).commit(),
        }),
        count: reactions.find((r) => r.emoji === emoji)?.count ?? 0,
      };
    },
    { head: input.head },
  );
  if (result.committed) return { change, count: result.plan.count, cursor: result.cursor };
  // Already reacted (PUT), or not reacted (DELETE): nothing changed, and that is a success.
  if (result.refused.has("reaction")) return null;
  throw new Error(`reaction refused by ${[...result.refused].join(", ")}`);
}

interface ChannelReaction { serverId: string; channelId: string; messageId: string; userId: string; emoji: string }
interface DmReaction { conversationId: string; messageId: string; userId: string; emoji: string }

/** PUT/DELETE …/channels/:cid/messages/:mid/reactions/:emoji/me (members). */
export async function setChannelReaction(stores: Stores, input: ChannelReaction, change: Change): Promise<ReactionOutcome> {
  assertEmoji(input.emoji);
  const { member, head } = await memberInChannel(stores.db, input.serverId, input.channelId, input.userId);
  const reactor = { userId: member.userId, username: member.username, userCreatedAt: member.userCreatedAt };
  return applyReaction(stores, { conversation: channelOf(input), head, messageId: input.messageId, emoji: input.emoji, reactor, change }, () =>
    currentMessage(stores.db, input),
  );
}

/** PUT/DELETE /dms/:id/messages/:mid/reactions/:emoji/me (participants). */
export async function setDmReaction(
  stores: Stores,
  input: DmReaction,
  change: Change,
): Promise<{ outcome: ReactionOutcome; participantIds: [string, string] }> {
  assertEmoji(input.emoji);
  const conversation = await participantsConversation(stores.db, input.userId, input.conversationId);
  const me = conversation.first.id === input.userId ? conversation.first : conversation.second;
  const reactor = { userId: me.id, username: me.username, userCreatedAt: me.createdAt };
  const outcome = await applyReaction(
    stores,
    { conversation: dmOf(input.conversationId), head: headOf(conversation), messageId: input.messageId, emoji: input.emoji, reactor, change },
    () => currentDmMessage(stores.db, input),
  );
  return { outcome, participantIds: [conversation.first.id, conversation.second.id] };
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
  const [, message, users] = await Promise.all([
    memberInChannel(stores.db, input.serverId, input.channelId, input.userId),
    stores.db.entities.messages.get({ channelId: input.channelId, messageId: input.messageId }).go(),
    reactors(stores, { ...input, conversationId: input.channelId }),
  ]);
  if (!message.data || message.data.serverId !== input.serverId) throw new AppError("not_found", "No such message.");
  return users;
}

export async function listDmReactors(
  stores: Stores,
  input: { conversationId: string; messageId: string; userId: string; emoji: string; limit: number; after?: string | undefined },
): Promise<User[]> {
  assertEmoji(input.emoji);
  const [, message, users] = await Promise.all([
    participantsConversation(stores.db, input.userId, input.conversationId),
    stores.db.entities.dmMessages.get({ conversationId: input.conversationId, messageId: input.messageId }).go(),
    reactors(stores, input),
  ]);
  if (!message.data) throw new AppError("not_found", "No such message.");
  return users;
}
