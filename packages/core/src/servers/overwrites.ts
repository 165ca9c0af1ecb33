/**
 * A channel's permission overwrites (api.md "Permissions", `PUT/DELETE …/overwrites/:targetId`):
 * who may set them (`MANAGE_ROLES` in the channel), what they may hold (only channel permissions,
 * a bit never both allowed and denied, and nothing the author does not hold: Discord's own
 * hotfix), and the write that goes with every change: the server's roles `version` moves on in
 * the same transaction (model/serverRoles.ts), conditioned on the version read, so two changes
 * of overwrites never lose one another and whatever kept something computed from permissions
 * knows it is stale.
 */
import type { ChannelItem, Db, ServerRolesItem, Write, WriteEntities } from "../model/index.ts";
import type { Overwrite } from "../views.ts";
import { AppError } from "../errors.ts";
import { getEach } from "../store/batches.ts";
import { isId } from "../schemas.ts";
import { beforeRetrying, transact } from "../store/transactions.ts";
import { CHANNEL_PERMISSIONS, PERMISSIONS, fromWire, has, namesOf, toWire } from "../permissions/bits.ts";
import { defaultEveryone, rolesOf } from "./grants.ts";
import { requireBit } from "./access.ts";
import { channelAccess } from "./channelAccess.ts";
import { auditWrite, diffOf } from "../audit/log.ts";

/**
 * Checks overwrites someone is about to write: each bit a channel permission, none both allowed
 * and denied, each target a role of the server or one of its members (404 otherwise: an id that
 * names nothing), and every bit they change (from `before`) one that `held` holds.
 */
export async function checkOverwrites(
  db: Db,
  scope: { serverId: string; serverCreatedAt: string; roles: ServerRolesItem | null | undefined; held: bigint },
  next: readonly Overwrite[],
  before: readonly Overwrite[] = [],
): Promise<void> {
  const { roles } = rolesOf(scope.serverId, scope.serverCreatedAt, scope.roles);
  const roleIds = new Set(roles.map((r) => r.id));
  for (const o of next) {
    const allow = fromWire(o.allow);
    const deny = fromWire(o.deny);
    if ((allow | deny) & ~CHANNEL_PERMISSIONS) throw new AppError("invalid_request", "An overwrite can only allow or deny channel permissions.");
    if (allow & deny) throw new AppError("invalid_request", `An overwrite cannot both allow and deny ${namesOf(allow & deny).join(", ")}.`);
    if (o.type === "role" && !roleIds.has(o.id)) throw new AppError("not_found", "No such role.");
  }
  const memberIds = next.filter((o) => o.type === "member").map((o) => o.id);
  if (memberIds.some((id) => !isId(id))) throw new AppError("not_found", "No such member.");
  if (memberIds.length) {
    const found = await getEach(
      memberIds.map((userId) => ({ serverId: scope.serverId, userId })),
      (keys) => db.entities.members.get(keys).go({ attributes: ["userId"] }),
    );
    if (found.length < new Set(memberIds).size) throw new AppError("not_found", "No such member.");
  }
  const changed = changedBits(before, next);
  if (changed & ~scope.held) {
    throw new AppError("forbidden", `You cannot grant or deny permissions you do not have: ${namesOf(changed & ~scope.held).join(", ")}.`);
  }
}

/** The bits whose state (allowed, denied, neither) differs between two lists of overwrites, over every target of either. */
function changedBits(before: readonly Overwrite[], next: readonly Overwrite[]): bigint {
  const key = (o: Overwrite) => `${o.type}:${o.id}`;
  const old = new Map(before.map((o) => [key(o), o]));
  const now = new Map(next.map((o) => [key(o), o]));
  let changed = 0n;
  for (const k of new Set([...old.keys(), ...now.keys()])) {
    const a = old.get(k);
    const b = now.get(k);
    changed |= (fromWire(a?.allow ?? "0") ^ fromWire(b?.allow ?? "0")) | (fromWire(a?.deny ?? "0") ^ fromWire(b?.deny ?? "0"));
  }
  return changed;
}

/**
 * The write that moves the server's roles `version` on, on the condition that it is still the one
 * read (a server made before roles has no item: it is created with the default `@everyone`).
 */
export function bumpRolesVersion(tx: WriteEntities, serverId: string, serverCreatedAt: string, read: ServerRolesItem | null | undefined): Write {
  if (!read) return tx.serverRoles.create({ serverId, roles: [defaultEveryone(serverId, serverCreatedAt)], version: 1 }).commit();
  return tx.serverRoles
    .patch({ serverId })
    .add({ version: 1 })
    .where((a, op) => op.eq(a.version, read.version))
    .commit();
}

/** The stored form of overwrites (what the channel item holds). */
export const storedOverwrites = (list: readonly Overwrite[]): NonNullable<ChannelItem["overwrites"]> =>
  list.map(({ id, type, allow, deny }) => ({ id, type, allow: toWire(fromWire(allow)), deny: toWire(fromWire(deny)) }));

/**
 * Sets (`next`: the target's new overwrite) or removes (`next: null`) one target's overwrite on a
 * channel. Needs `MANAGE_ROLES` in the channel and, for what changes, the permissions themselves.
 * Answers the channel as it now is and whether anything changed (removing an absent one: nothing).
 */
export async function changeOverwrite(
  db: Db,
  input: { serverId: string; channelId: string; userId: string; targetId: string; next: Omit<Overwrite, "id"> | null; reason?: string | null | undefined },
): Promise<{ channel: ChannelItem; changed: boolean; before: ChannelItem["overwrites"] }> {
  const { serverId, channelId, userId, targetId } = input;
  for (let attempt = 0; ; attempt++) {
    const access = await channelAccess(db, serverId, channelId, userId);
    requireBit(access.permissions, "MANAGE_ROLES");
    const before = (access.channel.overwrites ?? []) as Overwrite[];
    const others = before.filter((o) => o.id !== targetId);
    if (!input.next && others.length === before.length) return { channel: access.channel, changed: false, before };
    const mine = input.next ? [{ id: targetId, ...input.next }] : [];
    // An administrator or the owner holds everything; anyone else, what they hold in this channel.
    const held = has(access.permissions, PERMISSIONS.ADMINISTRATOR) ? ~0n : access.permissions;
    const old = before.filter((o) => o.id === targetId);
    await checkOverwrites(db, { serverId, serverCreatedAt: access.member.serverCreatedAt, roles: access.roles, held }, mine, old);
    const overwrites = storedOverwrites([...others, ...mine]);
    if (overwrites.length > 100) throw new AppError("invalid_request", "A channel can have at most 100 overwrites.");
    const refused = await transact(db, (tx) => ({
      channel: tx.channels
        .patch({ serverId, channelId })
        .set({ overwrites })
        .where((a, op) => op.exists(a.name))
        .commit(),
      roles: bumpRolesVersion(tx, serverId, access.member.serverCreatedAt, access.roles),
      audit: auditWrite(db, tx, {
        serverId,
        actorId: userId,
        reason: input.reason,
        action: !input.next ? "channel_overwrite_delete" : old.length ? "channel_overwrite_update" : "channel_overwrite_create",
        targetId: channelId,
        changes: diffOf(old[0] ?? {}, mine[0] ?? {}),
      }),
    }));
    if (refused.has("channel")) throw new AppError("not_found", "No such channel.");
    if (refused.has("roles")) {
      await beforeRetrying(attempt, "changeOverwrite");
      continue;
    }
    if (refused.size) throw new Error(`changeOverwrite refused by ${[...refused].join(", ")}`);
    return { channel: { ...access.channel, overwrites }, changed: true, before };
  }
}
