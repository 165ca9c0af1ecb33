/**
 * Pure helpers for reactions: a message's reactions after one change, and the emoji form the API
 * takes. No Svelte: the unit tests import it directly.
 */
import type { User } from "@agorusta/core/views";
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


/** How many names a reaction's tooltip lists before "and N others". */
const NAMES_SHOWN = 6;

/** "You, alice and 3 others reacted with 👍", from the first page of who reacted and the count. */
export function reactorsLine(users: readonly User[], total: number, me: string | undefined, emoji: string): string {
  const names = [...users.filter((u) => u.id === me).map(() => "You"), ...users.filter((u) => u.id !== me).map((u) => u.username)];
  const shown = names.slice(0, NAMES_SHOWN);
  const others = Math.max(0, total - shown.length);
  if (shown.length === 0) return `Nobody reacted with ${emoji} any more`;
  const list = others > 0 ? `${shown.join(", ")} and ${others} ${others === 1 ? "other" : "others"}` : joinAnd(shown);
  return `${list} reacted with ${emoji}`;
}
