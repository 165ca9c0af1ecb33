import type { Db, Write } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { guardValue } from "../store/keys.ts";
import { assertCommitted, isConditionalFailure, transact } from "../store/transactions.ts";
import { PERMISSIONS, has } from "../permissions/bits.ts";
import { channelView, type Channel, type Overwrite } from "../views.ts";
import { requireBit, serverAccess } from "./channelAccess.ts";
import { permissionsIn } from "./channelPermissions.ts";
import { checkOverwrites, storedOverwrites } from "./overwrites.ts";
import { auditWrite, diffOf } from "../audit/log.ts";

export const DEFAULT_CHANNEL = "general";

/** The guard item that keeps a channel name unique within its server. */
export const channelGuard = (serverId: string, name: string) => ({
  kind: "channelName" as const,
  value: guardValue(name, `${serverId}#`),
});

/** What a new channel may be given besides its name (api.md `POST /servers/:id/channels`). */
export interface NewChannel {
  name: string;
  type?: "text" | "category" | undefined;
  parentId?: string | null | undefined;
  topic?: string | null | undefined;
  overwrites?: Overwrite[] | undefined;
}

/**
 * Needs `MANAGE_CHANNELS` (and `MANAGE_ROLES` to give overwrites, each of whose bits the caller
 * holds). The channel name is unique within the server, case-insensitively, by a guard item; the
 * server holds at most `cap` channels (null: the limits are off), counted on the server item by
 * the same transaction (`channelCount`), whose condition also keeps a channel from hanging behind
 * the purge of a server being deleted (deletion.ts). A channel made in a category is placed last
 * in it and, given no overwrites, copies the category's (api.md); the category is checked to
 * still be one in the same transaction, as is its audit entry. Answers the channel as the caller sees it.
 */
export async function createChannel(db: Db, serverId: string, userId: string, input: NewChannel | string, cap: number | null, reason: string | null = null): Promise<Channel> {
  const wanted: NewChannel = typeof input === "string" ? { name: input } : input;
  const type = wanted.type ?? "text";
  const parentId = wanted.parentId ?? null;
  const access = await serverAccess(db, serverId, userId);
  requireBit(access.base, "MANAGE_CHANNELS");
  if (parentId && type === "category") throw new AppError("invalid_request", "A category cannot be inside another category.");
  const { data: siblings } = await db.entities.channels.query.byServer({ serverId }).go({ pages: "all", consistent: true, attributes: ["channelId", "type", "parentId", "position", "overwrites"] });
  const parent = parentId ? siblings.find((c) => c.channelId === parentId && c.type === "category") : undefined;
  if (parentId && !parent) throw new AppError("not_found", "No such category.");
  if (wanted.overwrites?.length) {
    requireBit(access.base, "MANAGE_ROLES");
    const held = has(access.base, PERMISSIONS.ADMINISTRATOR) ? ~0n : access.base;
    await checkOverwrites(db, { serverId, serverCreatedAt: access.member.serverCreatedAt, roles: access.roles, held }, wanted.overwrites);
  }
  const overwrites = wanted.overwrites ? storedOverwrites(wanted.overwrites) : (parent?.overwrites ?? []);
  // Last among its siblings (the channels of its category, or the top level's of its type).
  const place = siblings.filter((c) => (type === "category" ? c.type === "category" : c.type !== "category" && (c.parentId ?? null) === parentId));
  const channel = {
    serverId,
    channelId: newId(),
    name: wanted.name,
    createdAt: nowIso(db.clock),
    type,
    position: place.reduce((max, c) => Math.max(max, (c.position ?? 0) + 1), 0),
    ...(parentId ? { parentId } : {}),
    ...(wanted.topic ? { topic: wanted.topic } : {}),
    ...(overwrites.length ? { overwrites } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    const refused = await transact(db, (tx): Record<string, Write> => ({
      server: tx.servers
        .patch({ serverId })
        .add({ channelCount: 1 })
        // A counter that does not exist yet (a server made before it) is counted first, below.
        .where((a, op) => [op.exists(a.name), cap === null ? op.exists(a.channelCount) : op.lt(a.channelCount, cap)].join(" AND "))
        .commit(),
      nameGuard: tx.uniques.create({ ...channelGuard(serverId, wanted.name), holderId: channel.channelId }).commit(),
      channel: tx.channels.create(channel).commit(),
      ...(parentId ? { parent: tx.channels.check({ serverId, channelId: parentId }).where((a, op) => op.eq(a.type, "category")).commit() } : {}),
      audit: auditWrite(db, tx, {
        serverId,
        actorId: userId,
        reason,
        action: "channel_create",
        targetId: channel.channelId,
        changes: diffOf({}, { name: channel.name, type, parentId: channel.parentId, topic: channel.topic, overwrites: channel.overwrites }),
      }),
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
    if (refused.has("parent")) throw new AppError("not_found", "No such category.");
    assertCommitted(refused, "createChannel");
    return channelView(channel, permissionsIn(access.member, access.roles, channel, access.now));
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
