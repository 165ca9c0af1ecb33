import type { Db, ServerItem, UserItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { guardValue } from "../store/keys.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { requireMember } from "./access.ts";
import { newMembership } from "./joining.ts";
import { channelGuard, DEFAULT_CHANNEL } from "./channels.ts";
import { visibleChannels } from "./channelList.ts";
import { serverFromMembership, serverView, type Server, type ServerDetail } from "../views.ts";
import { getEach } from "../store/batches.ts";
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
 * The caller's servers, in the order they joined them: one Query on the membership index, and,
 * with a file store to sign icons with, one BatchGetItem of the servers' icon keys (the icon is
 * the one server fact that changes, so memberships do not copy it).
 */
export async function listMyServers(db: Db, userId: string, files?: FileStore): Promise<Server[]> {
  const { data } = await db.entities.members.query.byUser({ userId }).go({ pages: "all" });
  const icons = files && data.length
    ? await getEach(
        data.map((m) => ({ serverId: m.serverId })),
        (keys) => db.entities.servers.get(keys).go({ attributes: ["serverId", "iconKey"] }),
      )
    : [];
  const urls = new Map(await Promise.all(icons.map(async (s) => [s.serverId, await imageUrlOf(files, s.iconKey)] as const)));
  return data.map((m) => serverFromMembership(m, urls.get(m.serverId) ?? null));
}

/** The server with the channels the caller may view (one Query of its partition, its roles item included) and the caller's role (one GetItem), in parallel. */
export async function getServerDetail(db: Db, serverId: string, userId: string, files?: FileStore): Promise<ServerDetail> {
  const [member, detail] = await Promise.all([
    requireMember(db, serverId, userId),
    db.collections.serverDetail({ serverId }).go({ pages: "all" }),
  ]);
  const server = detail.data.servers[0];
  if (!server) throw new AppError("not_found", "No such server.");
  const icon = await imageUrlOf(files, server.iconKey);
  // The roles item is in the same partition (the collection's Query brings it): only the channels the caller may view.
  const channels = visibleChannels(member, detail.data.serverRoles[0], detail.data.channels, db.clock.now());
  return { ...serverView(server, icon), channels, role: member.role };
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