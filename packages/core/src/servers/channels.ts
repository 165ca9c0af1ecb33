import type { Db } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { guardValue } from "../store/keys.ts";
import { failed, transact } from "../store/transactions.ts";
import { requireOwnerOf } from "./access.ts";
import { channelView, type Channel } from "../views.ts";

export const DEFAULT_CHANNEL = "general";

/** The guard item that keeps a channel name unique within its server. */
export const channelGuard = (serverId: string, name: string) => ({
  kind: "channelName" as const,
  value: guardValue(name, `${serverId}#`),
});

/** Owner only; the channel name is unique within the server, case-insensitively, by a guard item. */
export async function createChannel(db: Db, serverId: string, userId: string, name: string): Promise<Channel> {
  await requireOwnerOf(db, serverId, userId);
  const channel = { serverId, channelId: newId(), name, createdAt: nowIso() };
  const codes = await transact(() =>
    db.transaction
      .write(({ uniques, channels, servers }) => [
        uniques.create({ ...channelGuard(serverId, name), holderId: channel.channelId }).commit(),
        channels.create(channel).commit(),
        // Not behind the purge of a server being deleted (deletion.ts).
        servers.check({ serverId }).where((a, op) => op.exists(a.name)).commit(),
      ])
      .go(),
  );
  if (failed(codes, 2)) throw new AppError("not_found", "No such server.");
  if (failed(codes, 0)) throw new AppError("channel_name_taken");
  if (codes) throw new Error(`createChannel transaction canceled: ${codes.join(",")}`);
  return channelView(channel);
}

