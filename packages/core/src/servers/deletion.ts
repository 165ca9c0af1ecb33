/**
 * Deleting a server, in two steps. `retireServer` makes the server gone at once, in one
 * transaction: its item and its name guard are deleted (the name is free again) and a purge job
 * is written. `purgeServer` then removes everything that hung from it, in the background (a
 * queue's consumer deployed, an in-process worker locally), in bounded slices, resumable.
 *
 * Nothing new can hang from a retired server: joins, channels, messages, invites and join
 * passwords carry a condition that the server item exists (`serverNotRetired`, access.ts), so
 * what the purge finds is all there is.
 */
import type { Db, MessageItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { guardValue } from "../store/keys.ts";
import { requireOwner, standingOf } from "./access.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { deleteEach } from "../store/batches.ts";
import { nowIso } from "../store/time.ts";
import type { Stores } from "../attachments/files.ts";
import { removeMessageExtras } from "../messages/deletion.ts";
import { mentionItemsOf } from "../messages/mentions.ts";
import { channelGuard } from "./channels.ts";

export async function retireServer(db: Db, serverId: string, userId: string): Promise<void> {
  const [member, server] = await Promise.all([
    db.entities.members.get({ serverId, userId }).go(),
    db.entities.servers.get({ serverId }).go(),
  ]);
  if (!member.data) throw new AppError("not_found", "No such server.");
  // The owner's alone, as in Discord: no permission deletes a server (roles do not matter here).
  requireOwner(standingOf(db, member.data, null));
  if (!server.data) throw new AppError("not_found", "No such server.");
  const name = server.data.name;
  const refused = await transact(db, ({ servers, uniques, serverPurges }) => ({
    server: servers.delete({ serverId }).where((a, op) => op.exists(a.name)).commit(),
    // Held by this server: a concurrent delete (and a new server of the name) already took it.
    nameGuard: uniques.delete({ kind: "serverName", value: guardValue(name) }).where((a, op) => op.eq(a.holderId, serverId)).commit(),
    purge: serverPurges.put({ serverId, retiredAt: nowIso(db.clock) }).commit(),
  }));
  if (refused.has("server") || refused.has("nameGuard")) throw new AppError("not_found", "No such server.");
  assertCommitted(refused, "retireServer");
}

/** What one purge slice did: `done` once nothing of the server is left and its job is deleted. */
export interface PurgeProgress {
  deleted: number;
  done: boolean;
}

/** Items deleted per slice: a slice fits a Lambda invocation with room to spare (~25 per BatchWriteItem). */
export const PURGE_SLICE = 5000;

/**
 * Removes up to `budget` items of a retired server and reports whether it is done. Idempotent
 * and stateless: every step Queries what is left (strongly consistent, so nothing deleted by an
 * earlier slice comes back) and deletes it, so a slice cut short anywhere (a crash, a timeout, a
 * restart) is resumed by running it again. Memberships go first (the server leaves everyone's
 * list), then invites, webhooks, passwords, bans, live slots and the audit log, then per channel its subscriptions, its messages (each
 * page's files, reactions and mention items first: once a message is gone nothing says where
 * they are) and change feed, then the channel and its name guard; then the server's icons and
 * whole-server subscriptions, its roles item, and last the job itself. Read positions stay in their readers'
 * partitions, unreachable (no channel lists them).
 */
export async function purgeServer(stores: Stores, serverId: string, budget = PURGE_SLICE): Promise<PurgeProgress> {
  const { entities: e } = stores.db;
  const slice = purgeSlice(stores, budget);
  const { drain, opts } = slice;
  const steps: Array<() => Promise<boolean>> = [
    () =>
      drain(
        async (count) => (await e.members.query.byServer({ serverId }).go({ ...opts(count), attributes: ["serverId", "userId"] })).data,
        (keys) => e.members.delete(keys).go(),
      ),
    // The invites' server index is eventually consistent: one created in the instant before the
    // retirement may be missed, and stays an unreachable item (its page and its join find no server).
    () =>
      drain(
        async (count) => (await e.invites.query.byServer({ serverId }).go({ count, attributes: ["code"] })).data,
        (keys) => e.invites.delete(keys).go(),
      ),
    // Its webhooks, by their server index too; they stopped with the retirement (webhooks/execute.ts).
    () =>
      drain(
        async (count) => (await e.webhooks.query.byServer({ serverId }).go({ count, attributes: ["webhookId"] })).data,
        (keys) => e.webhooks.delete(keys).go(),
      ),
    () =>
      drain(
        async (count) => (await e.serverPasswords.query.byServer({ serverId }).go({ ...opts(count), attributes: ["serverId", "passwordId"] })).data,
        (keys) => e.serverPasswords.delete(keys).go(),
      ),
    () =>
      drain(
        async (count) => (await e.bans.query.byServer({ serverId }).go({ ...opts(count), attributes: ["serverId", "userId"] })).data,
        (keys) => e.bans.delete(keys).go(),
      ),
    () =>
      drain(
        async (count) => (await e.liveSlots.query.byServer({ serverId }).go({ ...opts(count), attributes: ["serverId", "kind", "slot"] })).data,
        (keys) => e.liveSlots.delete(keys).go(),
      ),
    // The audit log: immutable entries in the server's partition (their TTL would take them in 90 days; a deleted server's go now).
    () =>
      drain(
        async (count) => (await e.auditEntries.query.byServer({ serverId }).go({ ...opts(count), attributes: ["serverId", "entryId"] })).data,
        (keys) => e.auditEntries.delete(keys).go(),
      ),
  ];
  for (const step of steps) if (!(await step())) return { deleted: slice.deleted(), done: false };

  const { data: channels } = await e.channels.query.byServer({ serverId }).go({ pages: "all", consistent: true });
  for (const channel of channels) {
    const { channelId } = channel;
    if (!(await clearChannel(stores, slice, channelId))) return { deleted: slice.deleted(), done: false };
    await e.uniques.delete(channelGuard(serverId, channel.name)).go();
    await e.channels.delete({ serverId, channelId }).go();
    slice.count(2);
  }
  // Its icons (the current one, and any a crashed swap left behind): one listing of its prefix.
  const icons = await stores.files.listOlderThan(`icons/${serverId}/`, new Date(8.64e15));
  if (icons.length) await stores.files.remove(icons);
  // Whole-server subscriptions live under the server's own id.
  if (!(await clearSubscriptions(slice, serverId))) return { deleted: slice.deleted(), done: false };
  // The roles item: nothing reads it once the memberships and channels are gone.
  await e.serverRoles.delete({ serverId }).go();
  await e.serverPurges.delete({ serverId }).go();
  return { deleted: slice.deleted(), done: true };
}

/** One slice of a purge: its budget of deletions, and the loop that spends it (a server's and a channel's purge share it). */
export interface PurgeSlice {
  stores: Stores;
  /**
   * Deletes pages of what `page` finds until it finds nothing or the budget is spent; true when
   * none is left. A page is `count` items however many 1 MB reads that takes (large messages), so
   * a short page is the last one. `before` runs on each page before its items go.
   */
  drain<K extends object>(page: (count: number) => Promise<K[]>, remove: (keys: K[]) => Promise<{ unprocessed: K[] }>, before?: (items: K[]) => Promise<void>): Promise<boolean>;
  /** A Query's options for a page of `count`, read strongly (nothing deleted by an earlier slice comes back). */
  opts(count: number): { count: number; consistent: true };
  /** Counts deletions made outside `drain`. */
  count(n: number): void;
  deleted(): number;
  /** Whether the budget is spent. */
  spent(): boolean;
}

export function purgeSlice(stores: Stores, budget: number): PurgeSlice {
  let deleted = 0;
  return {
    stores,
    async drain(page, remove, before) {
      while (deleted < budget) {
        const count = Math.min(1000, budget - deleted);
        const items = await page(count);
        await before?.(items);
        await deleteEach(items, remove);
        deleted += items.length;
        if (items.length < count) return true;
      }
      return false;
    },
    opts: (count) => ({ count, consistent: true }) as const,
    count: (n) => void (deleted += n),
    deleted: () => deleted,
    spent: () => deleted >= budget,
  };
}

/** A channel's (or, under the server's id, a whole server's) subscriptions; its audience item goes last: a process keeping that list then stops trusting it (realtime/audiences.ts). */
export const clearSubscriptions = async ({ drain, opts, stores }: PurgeSlice, channelId: string): Promise<boolean> => {
  const { entities: e } = stores.db;
  return (
    (await drain(
      async (count) => (await e.subscriptions.query.byChannel({ channelId }).go({ ...opts(count), attributes: ["channelId", "connectionId"] })).data,
      (keys) => e.subscriptions.delete(keys).go(),
    )) && (await e.audiences.delete({ channelId }).go(), true)
  );
};

/**
 * What hangs from a channel: its subscriptions, its messages (each page's files, reactions and
 * mention items first: once a message is gone nothing says where they are) and its change feed.
 * True once none is left.
 */
export async function clearChannel(stores: Stores, slice: PurgeSlice, channelId: string): Promise<boolean> {
  const { entities: e } = stores.db;
  const { drain, opts } = slice;
  return (
    (await clearSubscriptions(slice, channelId)) &&
    (await drain(
      async (count) =>
        (
          await e.messages.query.byChannel({ channelId }).go({
            ...opts(count),
            attributes: ["channelId", "messageId", "authorId", "mentions", "mentionsEveryone", "mentionRoles", "attachments", "reactions"],
          })
        ).data,
      // Deleted by key; what comes back unprocessed is keys, retried as such.
      (keys) => e.messages.delete(keys.map(({ channelId, messageId }) => ({ channelId, messageId }))).go() as unknown as Promise<{ unprocessed: typeof keys }>,
      async (page) => {
        for (const m of page) if (m.attachments?.length || m.reactions?.length) await removeMessageExtras(stores, channelId, m as MessageItem);
        const mentioned = page.flatMap((m) =>
          mentionItemsOf({ authorId: m.authorId, mentions: m.mentions ?? [], mentionsEveryone: m.mentionsEveryone ?? false, mentionRoles: m.mentionRoles }).map((userId) => ({
            conversationId: channelId,
            userId,
            messageId: m.messageId,
          })),
        );
        await deleteEach(mentioned, (keys) => e.mentions.delete(keys).go());
      },
    )) &&
    (await drain(
      async (count) => (await e.changes.query.byConversation({ conversationId: channelId }).go({ ...opts(count), attributes: ["conversationId", "seq"] })).data,
      (keys) => e.changes.delete(keys).go(),
    ))
  );
}

/** The purges not finished yet, oldest first: what a worker resumes after a restart (one Query, no Scan). */
export async function pendingPurges(db: Db): Promise<string[]> {
  const { data } = await db.entities.serverPurges.query.pending({}).go({ pages: "all", attributes: ["serverId"] });
  return data.map((p) => p.serverId);
}
