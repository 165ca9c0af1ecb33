/**
 * What a reaction may be, and how a message's counts change with one: on the message itself each
 * emoji's count, in first-added order (what every view shows). Who reacted is a `reaction` item
 * each; both change in one change of the conversation's feed (conversations/reactions.ts).
 */
import { AppError } from "../errors.ts";

/** A message carries at most this many different emoji. */
export const MAX_DISTINCT_EMOJI = 20;

/**
 * One RGI emoji (Unicode's recommended-for-general-interchange set, as Node's `\p{RGI_Emoji}`
 * knows it): a pictograph with its modifiers and joiners (skin tones, ZWJ families), a flag, a
 * keycap. Not text, not two emoji, and not an emoji component on its own (a bare skin tone or
 * hair style, which RGI lists but emoji-test.txt marks "component", not an emoji to send).
 */
// Built at first use: the set of RGI emoji is large to build, init time most cold starts never need
// (docs/performance.md, "Bundles").
let RGI_EMOJI: RegExp | undefined;
const LONE_COMPONENT = /^\p{Emoji_Component}$/u;
export const isEmoji = (s: string) => s.length <= 64 && (RGI_EMOJI ??= /^\p{RGI_Emoji}$/v).test(s) && !LONE_COMPONENT.test(s);

export function assertEmoji(emoji: string) {
  if (!isEmoji(emoji)) {
    const message = "Not an emoji: use exactly one emoji (flags, keycaps, skin tones and joined emoji count as one).";
    throw new AppError("invalid_request", message, { issues: [{ path: "emoji", message }] });
  }
}

type Counts = { emoji: string; count: number }[];
export type ReactionChange = "added" | "removed";

/** The message's counts after one user's reaction is added or removed (a 21st emoji is a 400). */
export function nextCounts(counts: Counts, emoji: string, change: ReactionChange): Counts {
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
