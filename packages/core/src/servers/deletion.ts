/**
 * Deleting a server, in two steps so the caller can announce it in between:
 * `retireServer` makes the server gone at once (its item and name guard, in one transaction:
 * the name is free again); `purgeServer` then removes everything that hung from it.
 */
import type { Db, MessageItem } from "../model/index.ts";
import { EVERYONE } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { guardValue } from "../store/keys.ts";
import { requireOwner } from "./access.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { deleteEach } from "../store/batches.ts";
import type { Stores } from "../attachments/files.ts";
import { removeMessageExtras } from "../messages/deletion.ts";
import { channelGuard } from "./channels.ts";

export async function retireServer(db: Db, serverId: string, userId: string): Promise<void> {
  const [member, server] = await Promise.all([
    db.entities.members.get({ serverId, userId }).go(),
    db.entities.servers.get({ serverId }).go(),
  ]);
  requireOwner(member.data);
  if (!server.data) throw new AppError("not_found", "No such server.");
  const name = server.data.name;
  const refused = await transact(db, ({ servers, uniques }) => ({
    server: servers.delete({ serverId }).commit(),
    // Held by this server: a concurrent delete (and a new server of the name) already took it.
    nameGuard: uniques.delete({ kind: "serverName", value: guardValue(name) }).where((a, op) => op.eq(a.holderId, serverId)).commit(),
  }));
  if (refused.has("nameGuard")) throw new AppError("not_found", "No such server.");
  assertCommitted(refused, "retireServer");
}

/**
 * Memberships first (the server vanishes from everyone's list and every member route says
 * 404), then each channel with its messages (and their mention items), change feed,
 * subscriptions (whole-server ones too) and name guard, then invites and passwords. Read
 * positions stay in their readers' partitions, unreachable (no channel lists them). A server with a very long history takes one BatchWrite per 25 messages; an
 * interrupted purge leaves only unreachable items, which a retry (or the TTL, for invites,
 * passwords and subscriptions) removes.
 */
export async function purgeServer(stores: Stores, serverId: string): Promise<void> {
  const { entities: e } = stores.db;
  const [members, channels, invites, passwords] = await Promise.all([
    e.members.query.byServer({ serverId }).go({ pages: "all", attributes: ["serverId", "userId"] }),
    e.channels.query.byServer({ serverId }).go({ pages: "all" }),
    e.invites.query.byServer({ serverId }).go({ pages: "all", attributes: ["code"] }),
    e.serverPasswords.query.byServer({ serverId }).go({ pages: "all", attributes: ["serverId", "passwordId"] }),
  ]);
  await deleteEach(members.data, (keys) => e.members.delete(keys).go());
  for (const channel of channels.data) {
    const { channelId } = channel;
    const [messages, subscriptions, changes] = await Promise.all([
      e.messages.query.byChannel({ channelId }).go({
        pages: "all",
        attributes: ["channelId", "messageId", "authorId", "mentions", "mentionsEveryone", "attachments", "reactions"],
      }),
      e.subscriptions.query.byChannel({ channelId }).go({ pages: "all", attributes: ["channelId", "connectionId"] }),
      e.changes.query.byConversation({ conversationId: channelId }).go({ pages: "all", attributes: ["conversationId", "seq"] }),
    ]);
    // Files and reactions first: once the message is gone nothing says where they are.
    for (const m of messages.data) if (m.attachments?.length || m.reactions?.length) await removeMessageExtras(stores, channelId, m as MessageItem);
    // Mention items first: once their message is gone nothing names them.
    const mentioned = messages.data.flatMap((m) =>
      [...(m.mentions ?? []).filter((u) => u !== m.authorId), ...(m.mentionsEveryone ? [EVERYONE] : [])].map((userId) => ({
        conversationId: channelId,
        userId,
        messageId: m.messageId,
      })),
    );
    await deleteEach(mentioned, (keys) => e.mentions.delete(keys).go());
    await deleteEach(
      messages.data.map(({ channelId, messageId }) => ({ channelId, messageId })),
      (keys) => e.messages.delete(keys).go(),
    );
    await deleteEach(changes.data, (keys) => e.changes.delete(keys).go());
    await deleteEach(subscriptions.data, (keys) => e.subscriptions.delete(keys).go());
    await e.uniques.delete(channelGuard(serverId, channel.name)).go();
    await e.channels.delete({ serverId, channelId }).go();
  }
  // Its icons (the current one, and any a crashed swap left behind): one listing of its prefix.
  const icons = await stores.files.listOlderThan(`icons/${serverId}/`, new Date(8.64e15));
  if (icons.length) await stores.files.remove(icons);
  // Whole-server subscriptions live under the server's own id.
  const { data: whole } = await e.subscriptions.query.byChannel({ channelId: serverId }).go({ pages: "all", attributes: ["channelId", "connectionId"] });
  await deleteEach(whole, (keys) => e.subscriptions.delete(keys).go());
  await deleteEach(invites.data, (keys) => e.invites.delete(keys).go());
  await deleteEach(passwords.data, (keys) => e.serverPasswords.delete(keys).go());
}
