/**
 * A server's channels as one member sees them (`ServerDetail.channels`, the answer to a reorder):
 * only those they may view, each with their permissions in it, in the sidebar's order (api.md:
 * "a text channel with a parentId is shown inside it, in position order"): the channels outside
 * any category first, then each category followed by its channels; within each, by `position`,
 * then by id (creation). A category shows when the member may view it or any channel in it. A
 * channel whose category is gone (deleted a moment ago) is shown at the top level.
 */
import type { ChannelItem, MemberItem, ServerRolesItem } from "../model/index.ts";
import { channelView, type Channel } from "../views.ts";
import { canView, permissionsIn } from "./channelPermissions.ts";

const byPlace = (a: ChannelItem, b: ChannelItem) => (a.position ?? 0) - (b.position ?? 0) || (a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0);

/** The channels in sidebar order (everyone's order: what each member sees is a subsequence of it). */
export function sidebarOrder(channels: readonly ChannelItem[]): ChannelItem[] {
  const categories = channels.filter((c) => c.type === "category").sort(byPlace);
  const known = new Set(categories.map((c) => c.channelId));
  const texts = channels.filter((c) => c.type !== "category");
  const inside = (parentId: string | null) => texts.filter((c) => (c.parentId && known.has(c.parentId) ? c.parentId : null) === parentId).sort(byPlace);
  return [...inside(null), ...categories.flatMap((cat) => [cat, ...inside(cat.channelId)])];
}

/** What the member sees of the channels, in sidebar order, with their permissions. */
export function visibleChannels(member: MemberItem, roles: ServerRolesItem | null | undefined, channels: readonly ChannelItem[], nowMs: number): Channel[] {
  const categories = categoryIds(channels);
  const ordered = sidebarOrder(channels).map((c) => ({ item: c, permissions: permissionsIn(member, roles, c, nowMs) }));
  const shownCategories = new Set(
    ordered.filter(({ item, permissions }) => item.type !== "category" && item.parentId && canView(permissions)).map(({ item }) => item.parentId!),
  );
  return ordered
    .filter(({ item, permissions }) => canView(permissions) || (item.type === "category" && shownCategories.has(item.channelId)))
    .map(({ item, permissions }) => channelView(placed(item, categories), permissions));
}

const categoryIds = (channels: readonly ChannelItem[]) => new Set(channels.filter((c) => c.type === "category").map((c) => c.channelId));

/** A channel whose category no longer exists shows at the top level. */
export function placed(item: ChannelItem, categories: ReadonlySet<string>): ChannelItem {
  if (!item.parentId || categories.has(item.parentId)) return item;
  const { parentId: _, ...rest } = item;
  return rest;
}
