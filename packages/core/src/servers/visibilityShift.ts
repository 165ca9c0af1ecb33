/**
 * Who gained or lost a channel through a permission change, among the connections listening to
 * the server, and the subscriptions that must go (api.md "Permission changes take effect at
 * once"). packages/functions (delivery/permissionsChanged.ts) tells the clients.
 *
 * Costs, once per change, off the send path: one Query of the server's partition (its channels
 * and roles item), one of its listening connections (the subscriptions' server index), for each
 * channel concerned one strongly consistent Query of its subscribers, the member items of the
 * users found (one BatchGetItem per 100), and one transaction per subscription dropped.
 */
import type { ChannelItem, Db, MemberItem, ServerRolesItem } from "../model/index.ts";
import { getEach } from "../store/batches.ts";
import { channelRecipients, type Recipient } from "../realtime/recipients.ts";
import { unsubscribe } from "../realtime/subscriptions.ts";
import { PERMISSIONS, has } from "../permissions/bits.ts";
import type { Viewer } from "./visibility.ts";
import { permissionsIn } from "./channelPermissions.ts";

/**
 * What changed, as it was BEFORE the change: with it, who gained and who lost a channel is known
 * exactly. Each field left out means "this did not change". Whatever is given, every subscription
 * whose member may no longer view its channel is dropped (the after-state is read from the table).
 */
export interface PermissionChange {
  serverId: string;
  /** The roles item before a role was created, edited, reordered or deleted (null: it had none, the default `@everyone`). */
  rolesBefore?: ServerRolesItem | null;
  /** Members whose roles or timeout changed, as they were before. */
  membersBefore?: ReadonlyArray<Pick<MemberItem, "userId" | "roleIds" | "timeoutUntil">>;
  /** Channels whose overwrites changed, with the overwrites they had before. */
  channelsBefore?: ReadonlyArray<Pick<ChannelItem, "channelId" | "overwrites">>;
}

export interface VisibilityShift {
  /** Channels some listening members can no longer see, with those members' connections (to be told `channel_deleted`). */
  lost: Array<{ channelId: string; connectionIds: string[] }>;
  /** Channels some listening members can now see, with their connections grouped by their permissions there (`channel_created`). */
  gained: Array<{ channel: ChannelItem; permissions: bigint; connectionIds: string[] }>;
}

const VIEW = PERMISSIONS.VIEW_CHANNEL;

/** Works the shift out from the table as it is now and `change`; drops the subscriptions it ends. */
export async function shiftVisibility(db: Db, change: PermissionChange): Promise<VisibilityShift> {
  const { serverId } = change;
  const [detail, listening] = await Promise.all([
    db.collections.serverDetail({ serverId }).go({ pages: "all" }),
    db.entities.subscriptions.query.byServer({ serverId }).go({ pages: "all", attributes: ["connectionId", "userId", "channelId"] }),
  ]);
  const rolesNow = detail.data.serverRoles[0] ?? null;
  const rolesThen = change.rolesBefore !== undefined ? change.rolesBefore : rolesNow;
  const channels = detail.data.channels.filter((c) => c.type !== "category");
  // Only the channels whose overwrites changed, unless roles or members did (then any channel may have).
  const touched = change.rolesBefore !== undefined || change.membersBefore?.length
    ? channels
    : channels.filter((c) => change.channelsBefore?.some((b) => b.channelId === c.channelId));
  const overwritesThen = new Map(change.channelsBefore?.map((b) => [b.channelId, { overwrites: b.overwrites }]));
  // The strongly consistent subscribers of each channel concerned: a subscription made just now is among them.
  const subscribed = new Map(await Promise.all(touched.map(async (c) => [c.channelId, await channelRecipients(db, c.channelId)] as const)));

  // Every listening connection, by user: the server index's (whole-server and channel subscriptions), and the channels' own.
  const connections = new Map<string, Set<string>>();
  const listen = (r: Pick<Recipient, "userId" | "connectionId">) => connections.set(r.userId, (connections.get(r.userId) ?? new Set()).add(r.connectionId));
  listening.data.forEach(listen);
  for (const list of subscribed.values()) list.forEach(listen);
  const members = await membersOf(db, serverId, [...connections.keys()]);
  const memberThen = new Map(change.membersBefore?.map((m) => [m.userId, m]));
  const now = db.clock.now();

  const shift: VisibilityShift = { lost: [], gained: [] };
  const drops: Array<{ connectionId: string; channelId: string }> = [];
  for (const channel of touched) {
    const lostBy: string[] = [];
    const gainedBy = new Map<bigint, string[]>();
    for (const [userId, conns] of connections) {
      const member = members.get(userId);
      const after = member ? permissionsIn(member, rolesNow, channel, now) : 0n;
      const was = memberThen.get(userId);
      const then = member && was ? { ...member, roleIds: was.roleIds, timeoutUntil: was.timeoutUntil } : member;
      const before = then ? permissionsIn(then, rolesThen, overwritesThen.get(channel.channelId) ?? channel, now) : 0n;
      const subs = (subscribed.get(channel.channelId) ?? []).filter((r) => r.userId === userId);
      if (!has(after, VIEW)) {
        drops.push(...subs.map((r) => ({ connectionId: r.connectionId, channelId: channel.channelId })));
        // Told when they saw it before, or when a subscription says their client thinks they do.
        if (member && (has(before, VIEW) || subs.length)) lostBy.push(...conns);
      } else if (!has(before, VIEW)) {
        gainedBy.set(after, [...(gainedBy.get(after) ?? []), ...conns]);
      }
    }
    if (lostBy.length) shift.lost.push({ channelId: channel.channelId, connectionIds: lostBy });
    for (const [permissions, connectionIds] of gainedBy) shift.gained.push({ channel, permissions, connectionIds });
  }
  // Each as an unsubscribe would (its connection's count goes down, the channel's token is new).
  await Promise.all(drops.map((d) => unsubscribe(db, d)));
  return shift;
}

/** The member items of these users (one BatchGetItem per 100, strongly consistent): who is still a member, with what roles. */
async function membersOf(db: Db, serverId: string, userIds: readonly string[]): Promise<Map<string, Viewer>> {
  if (!userIds.length) return new Map();
  const found = await getEach(
    userIds.map((userId) => ({ serverId, userId })),
    (keys) => db.entities.members.get(keys).go({ consistent: true, attributes: ["serverId", "userId", "roleIds", "timeoutUntil", "serverOwnerId", "serverCreatedAt"] }),
  );
  return new Map(found.map((m) => [m.userId, m]));
}
