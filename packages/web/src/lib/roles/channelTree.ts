/**
 * A server's channels as the sidebar shows them (api.md: a text channel with a `parentId` sits
 * inside that category, in `position` order): text channels without a category first, then each
 * category with its channels. And what a drag asks of `PATCH /servers/:id/channels`: the new
 * positions of the moved channel's siblings, 0..n-1 within its new parent. Pure, no Svelte.
 */
import type { Channel } from "@agorusta/core/views";

export interface CategoryNode {
  category: Channel;
  channels: Channel[];
}

export interface ChannelTree {
  /** Text channels in no category (or in one this caller cannot see). */
  loose: Channel[];
  categories: CategoryNode[];
}

const isCategory = (c: Pick<Channel, "type">) => c.type === "category";
/** By position; channels of an API without positions (or ties) keep their creation order. */
const byPosition = (a: Channel, b: Channel) => (a.position ?? 0) - (b.position ?? 0) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

export function channelTree(channels: readonly Channel[]): ChannelTree {
  const categories = channels.filter(isCategory).sort(byPosition);
  const known = new Set(categories.map((c) => c.id));
  const texts = channels.filter((c) => !isCategory(c)).sort(byPosition);
  return {
    loose: texts.filter((c) => !c.parentId || !known.has(c.parentId)),
    categories: categories.map((category) => ({ category, channels: texts.filter((c) => c.parentId === category.id) })),
  };
}

/** The text channels in the order the sidebar lists them (for the first channel a server opens on). */
export const orderedTextChannels = (channels: readonly Channel[]): Channel[] => {
  const tree = channelTree(channels);
  return [...tree.loose, ...tree.categories.flatMap((n) => n.channels)];
};

export interface Placement {
  id: string;
  position: number;
  parentId?: string | null;
}

/** Where a dragged channel goes: before or after another row, or into a category (first). */
export type DropTarget = { kind: "before" | "after"; id: string } | { kind: "into"; categoryId: string };

/**
 * The placements that move `movedId` to `target`, or null when the move means nothing (onto
 * itself, a category into a category). Only siblings whose place changes are sent.
 */
export function moveChannel(channels: readonly Channel[], movedId: string, target: DropTarget): Placement[] | null {
  const tree = channelTree(channels);
  const moved = channels.find((c) => c.id === movedId);
  if (!moved) return null;
  if (target.kind !== "into" && target.id === movedId) return null;
  if (isCategory(moved)) {
    // A category moves among categories: over another category, before or after it; over a
    // channel, just after that channel's category (first, over a channel in none).
    if (target.kind === "into") return null;
    const over = channels.find((c) => c.id === target.id);
    if (!over) return null;
    const others = tree.categories.map((n) => n.category).filter((c) => c.id !== movedId);
    const anchor = isCategory(over) ? over.id : over.parentId ?? null;
    const at = others.findIndex((c) => c.id === anchor);
    const index = at < 0 ? 0 : at + (isCategory(over) && target.kind === "before" ? 0 : 1);
    return place(tree.categories.map((n) => n.category), moved, index, undefined);
  }
  let parentId: string | null;
  let index: number;
  if (target.kind === "into") {
    parentId = target.categoryId;
    index = 0;
  } else {
    const over = channels.find((c) => c.id === target.id);
    if (!over) return null;
    if (isCategory(over)) {
      // Onto a category's header: into it, first (after: the same, as Discord does).
      parentId = over.id;
      index = 0;
    } else {
      parentId = tree.categories.some((n) => n.category.id === over.parentId) ? over.parentId ?? null : null;
      const siblings = siblingsOf(tree, parentId).filter((c) => c.id !== movedId);
      index = siblings.findIndex((c) => c.id === over.id) + (target.kind === "after" ? 1 : 0);
    }
  }
  const from = tree.categories.some((n) => n.category.id === moved.parentId) ? moved.parentId ?? null : null;
  const placements = place(siblingsOf(tree, parentId), moved, index, parentId);
  if (from !== parentId) {
    // The channels left behind close the gap.
    const left = siblingsOf(tree, from).filter((c) => c.id !== movedId);
    placements.push(...left.flatMap((c, i) => ((c.position ?? 0) === i ? [] : [{ id: c.id, position: i }])));
  }
  return placements;
}

const siblingsOf = (tree: ChannelTree, parentId: string | null): Channel[] =>
  parentId === null ? tree.loose : tree.categories.find((n) => n.category.id === parentId)?.channels ?? [];

/** `moved` at `index` among `list` (which may hold it): every row whose position (or, for `moved`, parent) changes. */
function place(list: readonly Channel[], moved: Channel, index: number, parentId: string | null | undefined): Placement[] {
  const rest = list.filter((c) => c.id !== moved.id);
  const order = [...rest.slice(0, index), moved, ...rest.slice(index)];
  return order.flatMap((c, position): Placement[] => {
    const reparented = c.id === moved.id && parentId !== undefined && (c.parentId ?? null) !== parentId;
    if (reparented) return [{ id: c.id, position, parentId }];
    return (c.position ?? 0) === position ? [] : [{ id: c.id, position }];
  });
}
