/**
 * Deleting a channel, in two steps like a server (deletion.ts): `deleteChannel` makes it gone at
 * once, in one transaction (the channel item, its name guard, the server's count, and a purge job
 * beside them); `purgeChannel` then removes what hung from it in the background, in bounded
 * slices, by the same engine and the same worker or queue as a deleted server's purge.
 *
 * Nothing new can hang from a deleted channel: every change to it (a message, an edit, a
 * reaction) moves its head, the channel item, on a condition that item satisfies only while it
 * exists (conversations/feed.ts `moveHead`), so what the purge finds is all there is.
 */
import type { ChannelItem, Db, Write } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { nowIso } from "../store/time.ts";
import { deleteEach } from "../store/batches.ts";
import { transact } from "../store/transactions.ts";
import type { Stores } from "../attachments/files.ts";
import { requireBit, serverNotRetired } from "./access.ts";
import { channelAccess } from "./channelAccess.ts";
import { channelGuard } from "./channels.ts";
import { auditWrite, diffOf } from "../audit/log.ts";
import { clearChannel, purgeServer, purgeSlice, PURGE_SLICE, type PurgeProgress } from "./deletion.ts";

/** How a channel's purge is named where a server's is named by its id (the queue, the pending list): ids never hold a `/`. */
export const channelPurgeJob = (channelId: string) => `channel/${channelId}`;
/** The channel a purge job names, or null for a server's. */
export const channelOfJob = (job: string): string | null => (job.startsWith("channel/") ? job.slice("channel/".length) : null);

/**
 * Deletes the channel (`MANAGE_CHANNELS` in it). A category's channels stay, at the top level
 * (api.md): each loses its `parentId` right after, and until then is shown at the top level
 * anyway (channelList.ts). Answers the channel deleted and the channels moved out of it.
 */
export async function deleteChannel(
  db: Db,
  input: { serverId: string; channelId: string; userId: string; reason?: string | null | undefined },
): Promise<{ channel: ChannelItem; moved: ChannelItem[] }> {
  const { serverId, channelId, userId } = input;
  for (let attempt = 0; ; attempt++) {
    const access = await channelAccess(db, serverId, channelId, userId, { withServer: true });
    requireBit(access.permissions, "MANAGE_CHANNELS");
    const { channel, server } = access;
    const counted = server?.channelCount !== undefined;
    const refused = await transact(db, (tx): Record<string, Write> => ({
      // Renamed meanwhile: its guard is another one; read again.
      channel: tx.channels.delete({ serverId, channelId }).where((a, op) => op.eq(a.name, channel.name)).commit(),
      nameGuard: tx.uniques.delete(channelGuard(serverId, channel.name)).where((a, op) => op.eq(a.holderId, channelId)).commit(),
      server: counted
        ? tx.servers
            .patch({ serverId })
            .subtract({ channelCount: 1 })
            .where((a, op) => `${op.exists(a.name)} AND ${op.exists(a.channelCount)}`)
            .commit()
        : serverNotRetired(tx.servers, serverId),
      purge: tx.channelPurges.put({ serverId, channelId, retiredAt: nowIso(db.clock) }).commit(),
      audit: auditWrite(db, tx, {
        serverId,
        actorId: userId,
        reason: input.reason,
        action: "channel_delete",
        targetId: channelId,
        changes: diffOf({ name: channel.name, type: channel.type ?? "text" }, {}),
      }),
    }));
    if (refused.has("channel") && attempt < 3) continue;
    if (refused.has("channel") || refused.has("nameGuard") || refused.has("server")) throw new AppError("not_found", "No such channel.");
    if (refused.size) throw new Error(`deleteChannel refused by ${[...refused].join(", ")}`);
    return { channel, moved: channel.type === "category" ? await releaseChildren(db, serverId, channelId) : [] };
  }
}

/** The channels of a deleted category, each moved to the top level (unless moved elsewhere meanwhile). */
async function releaseChildren(db: Db, serverId: string, categoryId: string): Promise<ChannelItem[]> {
  const { data } = await db.entities.channels.query.byServer({ serverId }).go({ pages: "all", consistent: true });
  const children = data.filter((c) => c.parentId === categoryId);
  const moved = await Promise.all(
    children.map(async (c) => {
      try {
        await db.entities.channels
          .patch({ serverId, channelId: c.channelId })
          .remove(["parentId"])
          .where((a, op) => op.eq(a.parentId, categoryId))
          .go({ response: "none" });
        const { parentId: _, ...rest } = c;
        return rest as ChannelItem;
      } catch {
        return null; // moved or deleted meanwhile: shown where it now is
      }
    }),
  );
  return moved.filter((c): c is ChannelItem => c !== null);
}

/**
 * Removes up to `budget` items of a deleted channel and reports whether it is done: its
 * subscriptions, messages (with their files, reactions and mention items) and change feed
 * (deletion.ts `clearChannel`, as for a server's channels), then its webhooks, then its members' read positions
 * (one page of the server's members at a time, the page reached kept on the job so a slice
 * resumes there), and last the job itself. Idempotent, like the server's purge.
 */
export async function purgeChannel(stores: Stores, channelId: string, budget = PURGE_SLICE): Promise<PurgeProgress> {
  const { entities: e } = stores.db;
  const { data: job } = await e.channelPurges.get({ channelId }).go({ consistent: true });
  if (!job) return { deleted: 0, done: true };
  const slice = purgeSlice(stores, budget);
  if (!(await clearChannel(stores, slice, channelId))) return { deleted: slice.deleted(), done: false };
  // Its webhooks (found through their server's index): they stopped with the channel (webhooks/execute.ts).
  const { data: hooks } = await e.webhooks.query.byServer({ serverId: job.serverId }).go({ pages: "all", attributes: ["webhookId", "channelId"] });
  const gone = hooks.filter((h) => h.channelId === channelId).map(({ webhookId }) => ({ webhookId }));
  await deleteEach(gone, (keys) => e.webhooks.delete(keys).go());
  slice.count(gone.length);
  // Read positions live in their readers' partitions: each member of the server may have one here.
  let after = job.membersAfter;
  while (!slice.spent()) {
    const query = e.members.query.byServer({ serverId: job.serverId });
    // `count` follows DynamoDB's 1 MB pages until 1000 are found: a shorter page is the last.
    const { data: members } = await (after ? query.gt({ userId: after }) : query).go({ count: 1000, attributes: ["userId"] });
    await deleteEach(
      members.map((m) => ({ userId: m.userId, conversationId: channelId })),
      (keys) => e.readStates.delete(keys).go(),
    );
    slice.count(members.length);
    if (members.length < 1000) {
      await e.channelPurges.delete({ channelId }).go();
      return { deleted: slice.deleted(), done: true };
    }
    after = members[members.length - 1]!.userId;
    await e.channelPurges.patch({ channelId }).set({ membersAfter: after }).go({ response: "none" });
  }
  return { deleted: slice.deleted(), done: false };
}

/** The deleted channels whose purge has not finished, oldest first, as purge jobs (one Query, no Scan). */
export async function pendingChannelPurges(db: Db): Promise<string[]> {
  const { data } = await db.entities.channelPurges.query.pending({}).go({ pages: "all", attributes: ["channelId"] });
  return data.map((p) => channelPurgeJob(p.channelId));
}

/** Runs one slice of a purge job: a deleted server's (its id) or a deleted channel's (`channelPurgeJob`). */
export async function purgeJob(stores: Stores, job: string, budget = PURGE_SLICE): Promise<PurgeProgress> {
  const channelId = channelOfJob(job);
  return channelId ? purgeChannel(stores, channelId, budget) : purgeServer(stores, job, budget);
}
