import type { Db, InviteItem, MemberItem, UserItem, Write } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newInviteCode } from "../store/ids.ts";
import { epochSeconds, expiryIn, isExpired, nowIso } from "../store/time.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { requireCan, standingWith, serverNotRetired } from "./access.ts";
import { auditWrite, type AuditContext } from "../audit/log.ts";
import { deleteFreeingSlots, memberInvitesKind, withLiveSlots, type HeldSlot, type Pool } from "../limits/liveSlots.ts";
import type { UsageLimits } from "../limits/usage.ts";
import { can } from "../permissions/policy.ts";
import { itemRead } from "../store/batchGet.ts";
import { newMembership, notBanned } from "./joining.ts";
import { inviteView, memberView, serverView, type Invite, type InviteInfo, type Member, type Server } from "../views.ts";
import { imageUrlOf } from "../attachments/files.ts";
import type { FileStore } from "../attachments/storage.ts";
import { isOnline } from "../realtime/presence.ts";

/** The caps on live invites (api.md "Limits"; limits/usage.ts), or null with the limits off. */
export type InviteLimits = Pick<UsageLimits, "invites" | "invitesOfMembers" | "invitesPerMember">;

/**
 * The slot pools an invite of this member takes: who may manage invites takes one of the server's
 * `invites`; any other member one of the `invitesOfMembers` first slots (the rest are kept for
 * the former) and one of their own `invitesPerMember`, both in the creating transaction, so no
 * count is read first and none can be raced past.
 */
function invitePools(member: MemberItem, permissions: bigint, limits: InviteLimits | null): Pool[] | null {
  if (!limits) return null;
  if (can(permissions, "MANAGE_GUILD")) {
    return [{ kind: "invite", cap: limits.invites, full: `A server can have at most ${limits.invites} live invites at once. Delete one first.` }];
  }
  return [
    {
      kind: "invite",
      cap: Math.min(limits.invitesOfMembers, limits.invites),
      full: "This server holds as many invites from its members as it can. Ask someone who manages its invites.",
    },
    {
      kind: memberInvitesKind(member.userId),
      cap: limits.invitesPerMember,
      full: `You can have at most ${limits.invitesPerMember} live invites in this server. One frees up when it expires or is deleted.`,
    },
  ];
}

/**
 * Who holds `CREATE_INSTANT_INVITE` may invite (every member, by `@everyone`'s default); audited. The code is random; a collision (≈2⁻⁵⁹) is retried,
 * never overwritten. The transaction also checks the membership is still the one read (a kick
 * or ban racing it either comes after, and revokes this invite, or refuses it) and counts the
 * invite on it.
 */
export async function createInvite(
  db: Db,
  input: { serverId: string; userId: string; maxUses?: number | null | undefined; expiresInSeconds?: number | null | undefined; reason?: string | null | undefined },
  limits: InviteLimits | null,
): Promise<Invite> {
  const { standing, found } = await standingWith(db, input.serverId, input.userId, { server: itemRead(db.entities.servers, { serverId: input.serverId }) });
  const creator = requireCan(standing, "CREATE_INSTANT_INVITE").member;
  const server = { data: found.server };
  if (!server.data) throw new AppError("not_found", "No such server.");
  const pools = invitePools(creator, standing.permissions, limits);
  for (let attempt = 0; ; attempt++) {
    const invite: InviteItem = {
      code: newInviteCode(),
      serverId: server.data.serverId,
      serverName: server.data.name,
      creatorId: input.userId,
      creatorJoinedAt: creator.joinedAt,
      uses: 0,
      createdAt: nowIso(db.clock),
      ...(input.maxUses != null ? { maxUses: input.maxUses } : {}),
      ...expiryIn(input.expiresInSeconds ?? undefined, db.clock),
    };
    const holder = { serverId: invite.serverId, holderId: invite.code, expiresAtMs: invite.expiresAt ? Date.parse(invite.expiresAt) : undefined };
    const { refused } = await withLiveSlots(db, holder, pools, (e, [slot, memberSlot]) => ({
      invite: e.invites.create({ ...invite, ...(slot !== undefined ? { slot } : {}), ...(memberSlot !== undefined ? { memberSlot } : {}) }).commit(),
      // Not behind the purge of a server being deleted: an invite it missed would outlive it.
      server: serverNotRetired(e.servers, invite.serverId),
      creator: e.members
        .patch({ serverId: invite.serverId, userId: input.userId })
        .add({ invitesMade: 1 })
        .where((a, op) => op.eq(a.joinedAt, creator.joinedAt))
        .commit(),
      audit: auditWrite(db, e, {
        serverId: invite.serverId, actorId: input.userId, action: "invite_create", targetId: invite.code, reason: input.reason,
        changes: { maxUses: { new: invite.maxUses ?? null }, expiresAt: { new: invite.expiresAt ?? null } },
      }),
    }));
    if (refused.has("server") || refused.has("creator")) throw new AppError("not_found", "No such server.");
    if (!refused.has("invite")) {
      assertCommitted(refused, "createInvite");
      return inviteView(invite);
    }
    if (attempt >= 3) throw new Error("createInvite: four invite codes in a row were taken");
  }
}

/**
 * Needs `MANAGE_GUILD`; newest first, `limit` to a page; `after` is the last code of the page before (one
 * GetItem gives the key to resume from). The index is eventually consistent, which a management
 * list can afford.
 */
export async function listInvites(
  db: Db,
  serverId: string,
  userId: string,
  page: { limit: number; after?: string | undefined } = { limit: 100 },
): Promise<Invite[]> {
  const { standing, found } = await standingWith(db, serverId, userId, { cursor: page.after ? itemRead(db.entities.invites, { code: page.after }) : undefined });
  requireCan(standing, "MANAGE_GUILD");
  const cursor = { data: found.cursor };
  if (page.after && cursor?.data?.serverId !== serverId) {
    throw new AppError("invalid_request", "after must be an invite of this server.", { issues: [{ path: "after", message: "Not an invite of this server." }] });
  }
  const byServer = db.entities.invites.query.byServer({ serverId });
  const from = cursor?.data ? { createdAt: cursor.data.createdAt, code: cursor.data.code } : undefined;
  const invites = await (from ? byServer.lt(from) : byServer).go({ order: "desc", count: page.limit });
  return invites.data.map(inviteView);
}

/**
 * Who holds `MANAGE_GUILD` deletes any of the server's; a member with `CREATE_INSTANT_INVITE`
 * their own (so one at their cap can make room). Anyone else who is a member: 403, whether or
 * not the code exists. Audited.
 */
export async function deleteInvite(db: Db, serverId: string, userId: string, code: string, reason?: string | null): Promise<void> {
  const audit: AuditContext = { actorId: userId, reason };
  const { standing, found } = await standingWith(db, serverId, audit.actorId, { invite: itemRead(db.entities.invites, { code }) });
  const invite = { data: found.invite };
  requireCan(standing, invite.data?.creatorId !== audit.actorId ? "MANAGE_GUILD" : "CREATE_INSTANT_INVITE");
  if (!invite.data || invite.data.serverId !== serverId) throw new AppError("invite_not_found");
  await removeInvite(db, invite.data, audit);
}

/** Deletes an invite and frees the live slots it holds (the server's and its maker's), in one transaction. */
async function removeInvite(db: Db, invite: Pick<InviteItem, "code" | "serverId" | "creatorId" | "slot" | "memberSlot">, audit?: AuditContext): Promise<void> {
  const { code, serverId, slot, memberSlot } = invite;
  const slots: HeldSlot[] = [
    ...(slot !== undefined ? [{ kind: "invite" as const, slot }] : []),
    ...(memberSlot !== undefined ? [{ kind: memberInvitesKind(invite.creatorId), slot: memberSlot }] : []),
  ];
  await deleteFreeingSlots(
    db,
    { serverId, holderId: code, slots },
    (e) => e.invites.delete({ code }).commit(),
    // A revocation that follows a member's removal is no one's act: only a deletion asked for is audited.
    (e): Record<string, Write> => (audit ? { audit: auditWrite(db, e, { serverId, ...audit, action: "invite_delete", targetId: code }) } : {}),
  );
}

/**
 * After a membership ended (kick, ban, leave; roster.ts `removeMember`): deletes the invites it
 * made, so they neither show nor hold the server's and the member's slots. Found on the
 * invites' server index, which lags: one made in the instant before the removal can be missed
 * here, and still admits nobody (the join transaction checks its maker's membership).
 */
export async function revokeInvitesOf(db: Db, serverId: string, creatorId: string): Promise<void> {
  const { data } = await db.entities.invites.query
    .byServer({ serverId })
    .where((a, op) => op.eq(a.creatorId, creatorId))
    .go({ pages: "all", attributes: ["code", "serverId", "creatorId", "slot", "memberSlot"] });
  await Promise.all(data.map((invite) => removeInvite(db, invite)));
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
  // The name is the server's now (it may have been renamed since the invite copied it).
  const server = await db.entities.servers.get({ serverId: invite.serverId }).go({ attributes: ["serverId", "name"] });
  if (!server.data) throw new AppError("invite_not_found");
  return {
    code: invite.code,
    server: { id: invite.serverId, name: server.data.name },
    expiresAt: invite.expiresAt ?? null,
    maxUses: invite.maxUses ?? null,
    uses: invite.uses,
  };
}

/**
 * Joins by invite. The use is counted and the membership written in one transaction, the
 * count guarded by `uses < maxUses`, so concurrent joins never exceed `maxUses`, and with the
 * check that whoever made the invite is still a member. Someone already a member succeeds
 * without consuming a use.
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
  // Their own invite, and they are no member: its maker's membership ended, so it admits nobody.
  // (Checked here: the transaction below cannot both check and create one membership.)
  if (invite.creatorId === userId) throw new AppError("invite_not_found");

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
    // Its maker is still a member, by the same membership: a kicked, banned or departed member's
    // invites admit nobody, whether or not their revocation (revokeInvitesOf) has run or found them.
    inviter: members
      .check({ serverId: invite.serverId, userId: invite.creatorId })
      .where((a, op) => (invite.creatorJoinedAt ? op.eq(a.joinedAt, invite.creatorJoinedAt) : op.exists(a.joinedAt)))
      .commit(),
  }));
  if (refused.has("notBanned")) throw new AppError("banned");
  // A concurrent join of the same user got there first: a member, and no use spent.
  if (refused.has("membership")) return { server: serverView(server.data, icon), joined: null };
  if (refused.has("server") || refused.has("inviter")) throw new AppError("invite_not_found");
  if (refused.has("use")) {
    // Lost the last use to a concurrent join, or the invite was revoked or expired meanwhile.
    await usableInvite(db, code);
    throw new AppError("invite_exhausted");
  }
  assertCommitted(refused, "joinByInvite");
  return { server: serverView(server.data, icon), joined: memberView(membership, isOnline(user.data, epochSeconds(db.clock)), await imageUrlOf(files, user.data.avatarKey)) };
}

