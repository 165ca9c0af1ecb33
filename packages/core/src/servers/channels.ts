import type { Db } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { guardValue } from "../store/keys.ts";
import { assertCommitted, isConditionalFailure, transact } from "../store/transactions.ts";
import { requirePermissionIn } from "./access.ts";
import { channelView, type Channel } from "../views.ts";

export const DEFAULT_CHANNEL = "general";

/** The guard item that keeps a channel name unique within its server. */
export const channelGuard = (serverId: string, name: string) => ({
  kind: "channelName" as const,
  value: guardValue(name, `${serverId}#`),
});

/**
 * Needs `MANAGE_CHANNELS`. The channel name is unique within the server, case-insensitively, by a
 * guard item; the server holds at most `cap` channels (null: the limits are off), counted on the
 * server item by the same transaction (`channelCount`), whose condition also keeps a channel from
 * hanging behind the purge of a server being deleted (deletion.ts).
 */
export async function createChannel(db: Db, serverId: string, userId: string, name: string, cap: number | null): Promise<Channel> {
  await requirePermissionIn(db, serverId, userId, "MANAGE_CHANNELS");
  const channel = { serverId, channelId: newId(), name, createdAt: nowIso(db.clock) };
  for (let attempt = 0; ; attempt++) {
    const refused = await transact(db, ({ uniques, channels, servers }) => ({
      server: servers
        .patch({ serverId })
        .add({ channelCount: 1 })
        // A counter that does not exist yet (a server made before it) is counted first, below.
        .where((a, op) => [op.exists(a.name), cap === null ? op.exists(a.channelCount) : op.lt(a.channelCount, cap)].join(" AND "))
        .commit(),
      nameGuard: uniques.create({ ...channelGuard(serverId, name), holderId: channel.channelId }).commit(),
      channel: channels.create(channel).commit(),
    }));
    if (refused.has("server")) {
      const { data: server } = await db.entities.servers.get({ serverId }).go({ consistent: true, attributes: ["serverId", "channelCount"] });
      if (!server) throw new AppError("not_found", "No such server.");
      if (server.channelCount === undefined) await countChannels(db, serverId);
      else if (cap !== null && server.channelCount >= cap) {
        throw new AppError("limit_reached", `A server can have at most ${cap} channels.`);
      }
      if (attempt < 3) continue;
    }
    if (refused.has("nameGuard")) throw new AppError("channel_name_taken");
    assertCommitted(refused, "createChannel");
    return channelView(channel);
  }
}

/**
 * Gives a server made before channels were counted its count: its channels, read strongly, set
 * only while there is no count yet. No channel can be created meanwhile (the create's condition
 * needs the count), so the number read is the number there is; of two such counts one is set.
 */
async function countChannels(db: Db, serverId: string): Promise<void> {
  const { data } = await db.entities.channels.query.byServer({ serverId }).go({ pages: "all", consistent: true, attributes: ["channelId"] });
  try {
    await db.entities.servers
      .patch({ serverId })
      .set({ channelCount: data.length })
      .where((a, op) => op.notExists(a.channelCount))
      .go({ response: "none" });
  } catch (e) {
    if (!isConditionalFailure(e)) throw e; // counted by another create meanwhile
  }
}
