import type { Db, MemberItem, ServerItem, UserItem, Write } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { guardValue } from "../store/keys.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { requireCan, requireMember, standingOf, standingWith } from "./access.ts";
import { itemRead } from "../store/batchGet.ts";
import { toWire } from "../permissions/bits.ts";
import { rolesOf } from "./grants.ts";
import { roleView } from "./roles.ts";
import { auditWrite } from "../audit/log.ts";
import { newMembership } from "./joining.ts";
import { channelGuard, DEFAULT_CHANNEL } from "./channels.ts";
import { visibleChannels } from "./channelList.ts";
import { serverFromMembership, serverView, type Server, type ServerDetail } from "../views.ts";
import { getEach } from "../store/batches.ts";
import { mapAtMost, PARTITION_READS_AT_ONCE } from "../store/parallel.ts";
import { detailsPageChannels } from "../schemas.ts";
import { imageUrlOf } from "../attachments/files.ts";
import type { FileStore } from "../attachments/storage.ts";

/**
 * Creates the server, its `general` channel and the owner's membership in one transaction,
 * with the name guard: of two creations of one name, exactly one commits.
 */
export async function createServer(db: Db, owner: UserItem, name: string): Promise<Server> {
  const createdAt = nowIso(db.clock);
  const server: ServerItem = { serverId: newId(), name, ownerId: owner.userId, createdAt, channelCount: 1 };
  const channel = { serverId: server.serverId, channelId: newId(), name: DEFAULT_CHANNEL, createdAt };
  const refused = await transact(db, ({ uniques, servers, channels, members }) => ({
    nameGuard: uniques.create({ kind: "serverName", value: guardValue(name), holderId: server.serverId }).commit(),
    server: servers.create(server).commit(),
    channelGuard: uniques.create({ ...channelGuard(server.serverId, DEFAULT_CHANNEL), holderId: channel.channelId }).commit(),
    channel: channels.create(channel).commit(),
    owner: members.create(newMembership(db.clock, server, owner, "owner")).commit(),
  }));
  if (refused.has("nameGuard")) throw new AppError("server_name_taken");
  assertCommitted(refused, "createServer");
  return serverView(server);
}

/**
 * The caller's servers, in the order they joined them: one Query on the membership index, and
 * one BatchGetItem (per 100) of the servers' names and icon keys. Name and icon are the server
 * facts that change (a rename, a new icon), so they are read from the server items, never from
 * the copies memberships hold (`serverName` is the name at joining, kept only for older readers):
 * a rename is one write, and nobody's list shows the old name (docs/decisions.md, "Server rename").
 */
export async function listMyServers(db: Db, userId: string, files?: FileStore): Promise<Server[]> {
  const { data } = await db.entities.members.query.byUser({ userId }).go({ pages: "all" });
  const servers = data.length
    ? await getEach(
        data.map((m) => ({ serverId: m.serverId })),
        (keys) => db.entities.servers.get(keys).go({ attributes: ["serverId", "name", "iconKey"] }),
      )
    : [];
  const current = new Map(await Promise.all(servers.map(async (s) => [s.serverId, { name: s.name, iconUrl: await imageUrlOf(files, s.iconKey) }] as const)));
  // A server whose item is gone (retired a moment ago, its memberships not purged yet) is not listed.
  return data.flatMap((m) => {
    const now = current.get(m.serverId);
    return now ? [{ ...serverFromMembership(m, now.iconUrl), name: now.name }] : [];
  });
}

/**
 * PATCH /servers/:id `{name}`: `MANAGE_GUILD`. The name's guard moves in the same transaction as
 * the rename (the new one created, so a taken name is 409 `server_name_taken`; the old one freed)
 * with the audit entry; conditioned on the name read, so of two renames racing one wins and the
 * other is tried again on the name it left. Returns the server, and its name before.
 */
export async function renameServer(db: Db, serverId: string, userId: string, name: string | undefined, files?: FileStore, reason?: string | null): Promise<{ server: Server; before: string }> {
  for (let attempt = 1; ; attempt++) {
    const { standing, found } = await standingWith(db, serverId, userId, { server: itemRead(db.entities.servers, { serverId }) }, { consistent: true });
    requireCan(standing, "MANAGE_GUILD");
    const server = found.server as ServerItem | null;
    if (!server) throw new AppError("not_found", "No such server.");
    const view = async (s: ServerItem) => serverView(s, await imageUrlOf(files, s.iconKey));
    if (name === undefined || server.name === name) return { server: await view(server), before: server.name };
    const same = guardValue(name) === guardValue(server.name);
    const refused = await transact(db, (e): Record<string, Write> => ({
      server: e.servers.patch({ serverId }).set({ name }).where((a, op) => op.eq(a.name, server.name)).commit(),
      // Only the case changes ("chess club" → "Chess Club"): the guard is the same and stays.
      ...(same
        ? {}
        : {
            nameGuard: e.uniques.create({ kind: "serverName", value: guardValue(name), holderId: serverId }).commit(),
            oldGuard: e.uniques.delete({ kind: "serverName", value: guardValue(server.name) }).where((a, op) => op.eq(a.holderId, serverId)).commit(),
          }),
      audit: auditWrite(db, e, { serverId, actorId: userId, reason, action: "guild_update", changes: { name: { old: server.name, new: name } } }),
    }));
    if (refused.has("nameGuard")) throw new AppError("server_name_taken");
    if ((refused.has("server") || refused.has("oldGuard")) && attempt < 5) continue;
    assertCommitted(refused, "renameServer");
    return { server: await view({ ...server, name }), before: server.name };
  }
}

/** One server's partition as the details read it: the server item, its channels and its roles item (one Query, the `serverDetail` collection). */
const readDetailPartition = async (db: Db, serverId: string) => (await db.collections.serverDetail({ serverId }).go({ pages: "all" })).data;

/**
 * What GET /servers/:id answers of a server to this member, from its partition as read: the
 * channels the member may view and the member's permissions (null: the server item is gone).
 * The one builder of a `ServerDetail`, for one server and for all of a person's at once.
 */
async function detailOf(db: Db, member: MemberItem, partition: Awaited<ReturnType<typeof readDetailPartition>>, files?: FileStore): Promise<ServerDetail | null> {
  const server = partition.servers[0];
  if (!server) return null;
  const icon = await imageUrlOf(files, server.iconKey);
  // The roles item is in the same partition (the collection's Query brings it): only the channels the caller may view.
  const rolesItem = partition.serverRoles[0] ?? null;
  const channels = visibleChannels(member, rolesItem, partition.channels, db.clock.now());
  const roles = rolesOf(server.serverId, server.createdAt, rolesItem).roles.map((r) => roleView(server.serverId, r));
  const permissions = toWire(standingOf(db, member, rolesItem).permissions);
  return { ...serverView(server, icon), channels, role: member.role, roles, permissions };
}

/** The server with the channels the caller may view (one Query of its partition, its roles item included) and the caller's role (one GetItem), in parallel. */
export async function getServerDetail(db: Db, serverId: string, userId: string, files?: FileStore): Promise<ServerDetail> {
  const [member, partition] = await Promise.all([requireMember(db, serverId, userId), readDetailPartition(db, serverId)]);
  const detail = await detailOf(db, member, partition, files);
  if (!detail) throw new AppError("not_found", "No such server.");
  return detail;
}

/**
 * The caller's servers with their details, each exactly as GET /servers/:id answers it, in the
 * order they joined them (`GET /servers?include=details`, issue 27 item 3): the web app's start
 * and each reconnect in one request however many servers, until their visible channels reach
 * `detailsPageChannels` (the answer is then full); then those after `after` (a server id: the previous answer's last). One Query on the
 * membership index says which servers; the memberships are read again from the table by key (one
 * BatchGetItem per 100), as GET /servers/:id reads its one (the index may lag a kick or a role
 * change); then each server's partition, one Query each, `PARTITION_READS_AT_ONCE` at a time.
 * A server whose membership or item is gone by then is left out, as GET /servers/:id would 404;
 * an `after` the caller is no longer in starts from the first server again.
 */
export async function listMyServerDetails(db: Db, userId: string, files?: FileStore, after?: string, bound = detailsPageChannels): Promise<ServerDetail[]> {
  const { data: all } = await db.entities.members.query.byUser({ userId }).go({ pages: "all" });
  const listed = all.slice(all.findIndex((m) => m.serverId === after) + 1);
  const members = listed.length
    ? await getEach(
        listed.map((m) => ({ serverId: m.serverId, userId })),
        (keys) => db.entities.members.get(keys).go({ concurrency: 4 }),
      )
    : [];
  const memberIn = new Map(members.map((m) => [m.serverId, m]));
  const current = listed.flatMap((m) => memberIn.get(m.serverId) ?? []);
  const page: ServerDetail[] = [];
  let channels = 0;
  // A batch of partitions at a time, so a page that fills early reads little past it.
  for (let i = 0; i < current.length; i += PARTITION_READS_AT_ONCE) {
    const batch = current.slice(i, i + PARTITION_READS_AT_ONCE);
    const details = await mapAtMost(PARTITION_READS_AT_ONCE, batch, async (member) => detailOf(db, member, await readDetailPartition(db, member.serverId), files));
    for (const detail of details) {
      if (!detail) continue;
      page.push(detail);
      channels += detail.channels.length;
      // Full: the server that reached the bound is the last (a server has at most 500 channels).
      if (channels >= bound) return page;
    }
  }
  return page;
}

/** The server item for a member, or 404 for anyone else. */
export async function getServerForMember(db: Db, serverId: string, userId: string): Promise<ServerItem> {
  const [, server] = await Promise.all([
    requireMember(db, serverId, userId),
    db.entities.servers.get({ serverId }).go(),
  ]);
  if (!server.data) throw new AppError("not_found", "No such server.");
  return server.data;
}