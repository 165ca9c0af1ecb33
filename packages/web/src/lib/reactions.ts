/**
 * Pure helpers for reactions: a message's reactions after one change, and the emoji form the API
 * takes. No Svelte: the unit tests import it directly.
 */
import type { Reaction } from "./media.ts";

/**
 * The reactions after one change: `count` for `emoji` (gone at 0, added at the end when new, as
 * the API orders them by first use); `me` follows `on` only when the change is one's own.
 */
export function withReaction(reactions: readonly Reaction[], emoji: string, on: boolean, count: number, mine: boolean): Reaction[] {
  const index = reactions.findIndex((r) => r.emoji === emoji);
  const current = reactions[index];
  const me = mine ? on : (current?.me ?? false);
  const next = { emoji, count: Math.max(count, me ? 1 : 0), me };
  if (next.count === 0) return reactions.filter((r) => r.emoji !== emoji);
  if (!current) return [...reactions, next];
  return reactions.map((r, i) => (i === index ? next : r));
}

/**
 * The form of an emoji the API takes (Unicode's RGI set, api.md "Reactions"): pickers may add a
 * variation selector that the RGI form of a pictograph has not ("👍\uFE0F" for "👍").
 */
export function rgiEmoji(emoji: string): string {
  let rgi: RegExp;
  try {
    // Built at run time: the `v` flag is newer than some build targets.
    rgi = new RegExp("^\\p{RGI_Emoji}$", "v");
  } catch {
    return emoji;
  }
  if (rgi.test(emoji)) return emoji;
  const bare = emoji.replace(/\uFE0F/g, "");
  return rgi.test(bare) ? bare : emoji;
}

/** "a", "a and b", "a, b and c". */
export const joinAnd = (names: string[]) => (names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`);

