import type { Db, InviteItem, UserItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newInviteCode } from "../store/ids.ts";
import { epochSeconds, expiryIn, isExpired, nowIso } from "../store/time.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { requirePermission, serverNotRetired } from "./access.ts";
import { deleteFreeingSlot, withLiveSlot } from "../limits/liveSlots.ts";
import { newMembership, notBanned } from "./joining.ts";
import { inviteView, memberView, serverView, type Invite, type InviteInfo, type Member, type Server } from "../views.ts";
import { imageUrlOf } from "../attachments/files.ts";
import type { FileStore } from "../attachments/storage.ts";
import { isOnline } from "../realtime/presence.ts";
import { getServerForMember } from "./server.ts";

/** Any member may invite. The code is random; a collision (≈2⁻⁵⁹) is retried, never overwritten. */
export async function createInvite(
  db: Db,
  input: { serverId: string; userId: string; maxUses?: number | null | undefined; expiresInSeconds?: number | null | undefined },
  /** At most this many live at once per server (a live slot each, limits/liveSlots.ts); null: no cap. */
  cap: number | null,
): Promise<Invite> {
  const server = await getServerForMember(db, input.serverId, input.userId);
  for (let attempt = 0; ; attempt++) {
    const invite: InviteItem = {
      code: newInviteCode(),
      serverId: server.serverId,
      serverName: server.name,
      creatorId: input.userId,
      uses: 0,
      createdAt: nowIso(db.clock),
      ...(input.maxUses != null ? { maxUses: input.maxUses } : {}),
      ...expiryIn(input.expiresInSeconds ?? undefined, db.clock),
    };
    const holder = { serverId: invite.serverId, kind: "invite" as const, holderId: invite.code, expiresAtMs: invite.expiresAt ? Date.parse(invite.expiresAt) : undefined };
    const { refused } = await withLiveSlot(db, holder, cap, "live invites", (e, slot) => ({
      invite: e.invites.create({ ...invite, ...(slot !== undefined ? { slot } : {}) }).commit(),
      // Not behind the purge of a server being deleted: an invite it missed would outlive it.
      server: serverNotRetired(e.servers, server.serverId),
    }));
    if (refused.has("server")) throw new AppError("not_found", "No such server.");
    if (!refused.has("invite")) {
      assertCommitted(refused, "createInvite");
      return inviteView(invite);
    }
    if (attempt >= 3) throw new Error("createInvite: four invite codes in a row were taken");
  }
}

/**
 * Owner only; newest first, `limit` to a page; `after` is the last code of the page before (one
 * GetItem gives the key to resume from). The index is eventually consistent, which a management
 * list can afford.
 */
export async function listInvites(
  db: Db,
  serverId: string,
  userId: string,
  page: { limit: number; after?: string | undefined } = { limit: 100 },
): Promise<Invite[]> {
  const [member, cursor] = await Promise.all([
    db.entities.members.get({ serverId, userId }).go(),
    page.after ? db.entities.invites.get({ code: page.after }).go() : null,
  ]);
  requirePermission(member.data, "manage_invites");
  if (page.after && cursor?.data?.serverId !== serverId) {
    throw new AppError("invalid_request", "after must be an invite of this server.", { issues: [{ path: "after", message: "Not an invite of this server." }] });
  }
  const byServer = db.entities.invites.query.byServer({ serverId });
  const from = cursor?.data ? { createdAt: cursor.data.createdAt, code: cursor.data.code } : undefined;
  const invites = await (from ? byServer.lt(from) : byServer).go({ order: "desc", count: page.limit });
  return invites.data.map(inviteView);
}

export async function deleteInvite(db: Db, serverId: string, userId: string, code: string): Promise<void> {
  const [member, invite] = await Promise.all([
    db.entities.members.get({ serverId, userId }).go(),
    db.entities.invites.get({ code }).go(),
  ]);
  requirePermission(member.data, "manage_invites");
  if (!invite.data || invite.data.serverId !== serverId) throw new AppError("invite_not_found");
  const { slot } = invite.data;
  await deleteFreeingSlot(db, slot === undefined ? null : { serverId, kind: "invite", slot, holderId: code }, (e) => e.invites.delete({ code }).commit());
}

async function findInvite(db: Db, code: string): Promise<InviteItem> {
  const { data } = await db.entities.invites.get({ code }).go();
  if (!data) throw new AppError("invite_not_found");
  return data;
}

/** Expiry is enforced here, at read time, whatever DynamoDB's TTL sweeper has or has not deleted. */
function assertUsable(invite: InviteItem, nowMs: number): InviteItem {
  if (isExpired(invite.expiresAt, nowMs)) throw new AppError("invite_expired");
  if (invite.maxUses != null && invite.uses >= invite.maxUses) throw new AppError("invite_exhausted");
  return invite;
}

const usableInvite = async (db: Db, code: string) => assertUsable(await findInvite(db, code), db.clock.now());

/**
 * What the invite page shows; no membership needed, that is the point of an invite. An invite
 * whose server is gone (one the purge missed, deletion.ts) is no invite: it shows nothing.
 */
export async function getInviteInfo(db: Db, code: string): Promise<InviteInfo> {
  const invite = await usableInvite(db, code);
  const server = await db.entities.servers.get({ serverId: invite.serverId }).go({ attributes: ["serverId"] });
  if (!server.data) throw new AppError("invite_not_found");
  return {
    code: invite.code,
    server: { id: invite.serverId, name: invite.serverName },
    expiresAt: invite.expiresAt ?? null,
    maxUses: invite.maxUses ?? null,
    uses: invite.uses,
  };
}

/**
 * Joins by invite. The use is counted and the membership written in one transaction, the
 * count guarded by `uses < maxUses`, so concurrent joins never exceed `maxUses`. Someone
 * already a member succeeds without consuming a use.
 */
export async function joinByInvite(db: Db, code: string, userId: string, files?: FileStore): Promise<{ server: Server; joined: Member | null }> {
  const invite = await findInvite(db, code);
  const [member, server, user] = await Promise.all([
    db.entities.members.get({ serverId: invite.serverId, userId }).go(),
    db.entities.servers.get({ serverId: invite.serverId }).go(),
    db.entities.users.get({ userId }).go(),
  ]);
  if (!server.data) throw new AppError("invite_not_found");
  if (!user.data) throw new AppError("unauthorized");
  const icon = await imageUrlOf(files, server.data.iconKey);
  // A member following the link again is already where they wanted to be, used up or not.
  if (member.data) return { server: serverView(server.data, icon), joined: null };
  assertUsable(invite, db.clock.now());

  const membership = newMembership(db.clock, server.data, user.data as UserItem, "member");
  const now = nowIso(db.clock);
  const refused = await transact(db, ({ invites, members, servers, bans }) => ({
    use: invites
      .patch({ code })
      .add({ uses: 1 })
      .where((attr, op) =>
        [
          invite.maxUses != null ? op.lt(attr.uses, invite.maxUses) : "",
          invite.expiresAt ? op.gt(attr.expiresAt, now) : "",
        ]
          .filter(Boolean)
          .join(" AND "),
      )
      .commit(),
    membership: members.create(membership).commit(),
    // A join racing the server's deletion leaves no membership behind the purge (deletion.ts).
    server: serverNotRetired(servers, invite.serverId),
    notBanned: notBanned(bans, invite.serverId, userId),
  }));
  if (refused.has("notBanned")) throw new AppError("banned");
  // A concurrent join of the same user got there first: a member, and no use spent.
  if (refused.has("membership")) return { server: serverView(server.data, icon), joined: null };
  if (refused.has("server")) throw new AppError("invite_not_found");
  if (refused.has("use")) {
    // Lost the last use to a concurrent join, or the invite was revoked or expired meanwhile.
    await usableInvite(db, code);
    throw new AppError("invite_exhausted");
  }
  assertCommitted(refused, "joinByInvite");
  return { server: serverView(server.data, icon), joined: memberView(membership, isOnline(user.data, epochSeconds(db.clock)), await imageUrlOf(files, user.data.avatarKey)) };
}

