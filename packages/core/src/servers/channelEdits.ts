/**
 * Editing channels (api.md `PATCH /servers/:id/channels/:cid` and `PATCH /servers/:id/channels`):
 * a name (its guard moves in the same transaction, so two channels never share a name), a topic,
 * a category, a slowmode; and the order of many at once, in one transaction.
 */
import type { ChannelItem, Db, Write, WriteEntities } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { transact } from "../store/transactions.ts";
import { channelView, type Channel } from "../views.ts";
import { channelAccess, requireBit, serverAccess } from "./channelAccess.ts";
import { canView, permissionsIn } from "./channelPermissions.ts";
import { channelGuard } from "./channels.ts";
import { visibleChannels } from "./channelList.ts";
import { auditWrite, diffOf } from "../audit/log.ts";

export interface ChannelEdit {
  name?: string | undefined;
  topic?: string | null | undefined;
  parentId?: string | null | undefined;
  slowmodeSeconds?: number | undefined;
}

/** A channel item being changed here. */
type Editable = { -readonly [K in keyof ChannelItem]: ChannelItem[K] };

/** What an audit entry compares of a channel. */
const editable = (c: ChannelItem) => ({ name: c.name, topic: c.topic, parentId: c.parentId, slowmodeSeconds: c.slowmodeSeconds ?? 0 });
const placeOf = (c: ChannelItem) => ({ position: c.position ?? 0, parentId: c.parentId ?? null });

/** A channel can be moved only into a category, and a category into nothing. */
function checkParent(channel: Pick<ChannelItem, "channelId" | "type">, parentId: string | null | undefined, categories: ReadonlySet<string> | null): void {
  if (!parentId) return;
  if (channel.type === "category") throw new AppError("invalid_request", "A category cannot be inside another category.");
  if (categories && !categories.has(parentId)) throw new AppError("not_found", "No such category.");
}

/** The transaction's check that `parentId` is still a category of the server. */
const parentCheck = (tx: WriteEntities, serverId: string, parentId: string) =>
  tx.channels.check({ serverId, channelId: parentId }).where((a, op) => op.eq(a.type, "category")).commit();

/**
 * Edits a channel (`MANAGE_CHANNELS` in it). Answers the channel before and after, as the caller
 * sees it after (null when nothing changed). A rename to a name another channel holds is 409.
 */
export async function editChannel(
  db: Db,
  input: { serverId: string; channelId: string; userId: string; edit: ChannelEdit; reason?: string | null | undefined },
): Promise<{ before: ChannelItem; after: ChannelItem; view: Channel; changed: boolean }> {
  const { serverId, channelId, userId, edit } = input;
  for (let attempt = 0; ; attempt++) {
    const access = await channelAccess(db, serverId, channelId, userId);
    requireBit(access.permissions, "MANAGE_CHANNELS");
    const before = access.channel;
    checkParent(before, edit.parentId, null);
    const set: Partial<Pick<Editable, "name" | "topic" | "parentId" | "slowmodeSeconds">> = {};
    const remove: Array<"topic" | "parentId"> = [];
    if (edit.name !== undefined && edit.name !== before.name) set.name = edit.name;
    if (edit.topic !== undefined && (edit.topic || null) !== (before.topic ?? null)) edit.topic ? (set.topic = edit.topic) : remove.push("topic");
    if (edit.parentId !== undefined && edit.parentId !== (before.parentId ?? null)) edit.parentId ? (set.parentId = edit.parentId) : remove.push("parentId");
    if (edit.slowmodeSeconds !== undefined && edit.slowmodeSeconds !== (before.slowmodeSeconds ?? 0)) set.slowmodeSeconds = edit.slowmodeSeconds;
    const after: Editable = { ...before, ...set };
    for (const r of remove) delete after[r];
    if (!Object.keys(set).length && !remove.length) return { before, after, view: channelView(after, access.permissions), changed: false };
    // A rename that only changes letters' case keeps its guard (names compare case-insensitively).
    const moveGuard = set.name !== undefined && channelGuard(serverId, set.name).value !== channelGuard(serverId, before.name).value;
    const refused = await transact(db, (tx): Record<string, Write> => {
      const patch = tx.channels.patch({ serverId, channelId }).set(set);
      return {
        // Renamed or deleted meanwhile: read again.
        channel: (remove.length ? patch.remove(remove) : patch).where((a, op) => op.eq(a.name, before.name)).commit(),
        ...(moveGuard
          ? {
              oldGuard: tx.uniques.delete(channelGuard(serverId, before.name)).where((a, op) => op.eq(a.holderId, channelId)).commit(),
              nameGuard: tx.uniques.create({ ...channelGuard(serverId, set.name!), holderId: channelId }).commit(),
            }
          : {}),
        ...(set.parentId ? { parent: parentCheck(tx, serverId, set.parentId) } : {}),
        audit: auditWrite(db, tx, { serverId, actorId: userId, reason: input.reason, action: "channel_update", targetId: channelId, changes: diffOf(editable(before), editable(after)) }),
      };
    });
    if (refused.has("nameGuard")) throw new AppError("channel_name_taken");
    if (refused.has("parent")) throw new AppError("not_found", "No such category.");
    if ((refused.has("channel") || refused.has("oldGuard")) && attempt < 3) continue;
    if (refused.size) throw new AppError("not_found", "No such channel.");
    return { before, after, view: channelView(after, access.permissions), changed: true };
  }
}

/**
 * Moves channels (`MANAGE_CHANNELS`): each to its `position` and, when given, into a category (or
 * to the top level with null), all in one transaction. Positions are taken as given (ties are
 * ordered by id, channelList.ts). Answers the server's channels as the caller sees them after,
 * and the channels that moved (for their events).
 */
export async function reorderChannels(
  db: Db,
  input: { serverId: string; userId: string; moves: ReadonlyArray<{ id: string; position: number; parentId?: string | null | undefined }>; reason?: string | null | undefined },
): Promise<{ channels: Channel[]; moved: ChannelItem[] }> {
  const { serverId, userId, moves } = input;
  const [access, { data: all }] = await Promise.all([
    serverAccess(db, serverId, userId),
    db.entities.channels.query.byServer({ serverId }).go({ pages: "all", consistent: true }),
  ]);
  requireBit(access.base, "MANAGE_CHANNELS");
  const byId = new Map(all.map((c) => [c.channelId, c]));
  const categories = new Set(all.filter((c) => c.type === "category").map((c) => c.channelId));
  const moved: ChannelItem[] = [];
  for (const m of moves) {
    const channel = byId.get(m.id);
    if (!channel || !canView(permissionsIn(access.member, access.roles, channel, access.now))) throw new AppError("not_found", "No such channel.");
    checkParent(channel, m.parentId, categories);
    const after: Editable = { ...channel, position: m.position };
    if (m.parentId !== undefined) {
      if (m.parentId) after.parentId = m.parentId;
      else delete after.parentId;
    }
    if (after.position !== (channel.position ?? 0) || (after.parentId ?? null) !== (channel.parentId ?? null)) moved.push(after);
  }
  const parents = [...new Set(moved.flatMap((c) => (c.parentId ? [c.parentId] : [])))];
  // One transaction: the moves, their categories' checks and the one audit entry.
  if (moved.length + parents.length > 99) throw new AppError("invalid_request", "Too many channels and categories in one move: at most 99 together.");
  if (moved.length) {
    const refused = await transact(db, (tx): Record<string, Write> => ({
      ...Object.fromEntries(
        moved.map((c) => {
          const patch = tx.channels.patch({ serverId, channelId: c.channelId }).set({ position: c.position!, ...(c.parentId ? { parentId: c.parentId } : {}) });
          return [`channel:${c.channelId}`, (c.parentId ? patch : patch.remove(["parentId"])).where((a, op) => op.exists(a.name)).commit()];
        }),
      ),
      ...Object.fromEntries(parents.map((p) => [`parent:${p}`, parentCheck(tx, serverId, p)])),
      // One entry for the whole move: each channel's place before and after.
      audit: auditWrite(db, tx, {
        serverId,
        actorId: userId,
        reason: input.reason,
        action: "channel_update",
        changes: Object.fromEntries(moved.map((c) => [c.channelId, { old: placeOf(byId.get(c.channelId)!), new: placeOf(c) }])),
      }),
    }));
    if ([...refused].some((r) => r.startsWith("parent:"))) throw new AppError("not_found", "No such category.");
    if (refused.size) throw new AppError("not_found", "No such channel.");
  }
  const now = moved.reduce((m, c) => m.set(c.channelId, c), new Map(byId));
  return { channels: visibleChannels(access.member, access.roles, [...now.values()], access.now), moved };
}
