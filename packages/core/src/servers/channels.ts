import type { Db } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { guardValue } from "../store/keys.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { requirePermissionIn, serverNotRetired } from "./access.ts";
import { channelView, type Channel } from "../views.ts";

export const DEFAULT_CHANNEL = "general";

/** The guard item that keeps a channel name unique within its server. */
export const channelGuard = (serverId: string, name: string) => ({
  kind: "channelName" as const,
  value: guardValue(name, `${serverId}#`),
});

/** Owner only; the channel name is unique within the server, case-insensitively, by a guard item. */
export async function createChannel(db: Db, serverId: string, userId: string, name: string): Promise<Channel> {
  await requirePermissionIn(db, serverId, userId, "manage_channels");
  const channel = { serverId, channelId: newId(), name, createdAt: nowIso(db.clock) };
  const refused = await transact(db, ({ uniques, channels, servers }) => ({
    nameGuard: uniques.create({ ...channelGuard(serverId, name), holderId: channel.channelId }).commit(),
    channel: channels.create(channel).commit(),
    // Not behind the purge of a server being deleted (deletion.ts).
    server: serverNotRetired(servers, serverId),
  }));
  if (refused.has("server")) throw new AppError("not_found", "No such server.");
  if (refused.has("nameGuard")) throw new AppError("channel_name_taken");
  assertCommitted(refused, "createChannel");
  return channelView(channel);
}

