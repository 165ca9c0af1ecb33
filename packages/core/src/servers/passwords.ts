import type { Db, ServerPasswordItem } from "../model/index.ts";
import { isOnline } from "../realtime/presence.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { epochSeconds, expiryIn, isExpired, nowIso } from "../store/time.ts";
import { guardValue } from "../store/keys.ts";
import { decoyHash, hashPassword, verifyPassword } from "../auth/passwordHashing.ts";
import { addMember } from "./joining.ts";
import { deleteFreeingSlots, withLiveSlots } from "../limits/liveSlots.ts";
import { assertCommitted } from "../store/transactions.ts";
import { requirePermissionIn, serverNotRetired } from "./access.ts";
import { auditWrite } from "../audit/log.ts";
import { memberView, serverPasswordView, serverView, type Member, type Server, type ServerPassword } from "../views.ts";
import { imageUrlOf } from "../attachments/files.ts";
import type { FileStore } from "../attachments/storage.ts";

/**
 * Needs `MANAGE_GUILD`; audited. Several passwords may be live at once (one per group of people, say), up to `cap`
 * (null: no cap, the limits are off): each holds a live slot, taken in the same transaction, so
 * the cap holds under concurrent creation and a join never verifies more than `cap` hashes.
 */
export async function createServerPassword(
  db: Db,
  input: { serverId: string; userId: string; password: string; label?: string | null | undefined; expiresInSeconds?: number | null | undefined; reason?: string | null | undefined },
  cap: number | null,
): Promise<ServerPassword> {
  const [, hash] = await Promise.all([requirePermissionIn(db, input.serverId, input.userId, "MANAGE_GUILD"), hashPassword(input.password)]);
  const item: ServerPasswordItem = {
    serverId: input.serverId,
    passwordId: newId(),
    hash,
    createdAt: nowIso(db.clock),
    ...(input.label != null ? { label: input.label } : {}),
    ...expiryIn(input.expiresInSeconds ?? undefined, db.clock),
  };
  const holder = { serverId: item.serverId, holderId: item.passwordId, expiresAtMs: item.expiresAt ? Date.parse(item.expiresAt) : undefined };
  const pools = cap === null ? null : [{ kind: "serverPassword" as const, cap, full: `A server can have at most ${cap} live passwords at once. Delete one first.` }];
  const { refused } = await withLiveSlots(db, holder, pools, (e, [slot]) => ({
    password: e.serverPasswords.create({ ...item, ...(slot !== undefined ? { slot } : {}) }).commit(),
    // Not behind the purge of a server being deleted: a password it missed would outlive it.
    server: serverNotRetired(e.servers, item.serverId),
    audit: auditWrite(db, e, {
      serverId: item.serverId, actorId: input.userId, action: "password_create", targetId: item.passwordId, reason: input.reason,
      changes: { label: { new: item.label ?? null }, expiresAt: { new: item.expiresAt ?? null } },
    }),
  }));
  if (refused.has("server")) throw new AppError("not_found", "No such server.");
  assertCommitted(refused, "createServerPassword");
  return serverPasswordView(item);
}

/** Needs `MANAGE_GUILD`. Expired ones are listed too (with their `expiresAt`) until the TTL sweeper removes them, so the owner sees why a password stopped working. */
export async function listServerPasswords(db: Db, serverId: string, userId: string): Promise<ServerPassword[]> {
  const [, passwords] = await Promise.all([
    requirePermissionIn(db, serverId, userId, "MANAGE_GUILD"),
    db.entities.serverPasswords.query.byServer({ serverId }).go({ pages: "all" }),
  ]);
  return passwords.data.map(serverPasswordView);
}

/** Needs `MANAGE_GUILD`; audited. */
export async function deleteServerPassword(db: Db, serverId: string, userId: string, passwordId: string, reason?: string | null): Promise<void> {
  const [, existing] = await Promise.all([
    requirePermissionIn(db, serverId, userId, "MANAGE_GUILD"),
    db.entities.serverPasswords.get({ serverId, passwordId }).go(),
  ]);
  if (!existing.data) throw new AppError("not_found", "No such password.");
  const { slot } = existing.data;
  const slots = slot === undefined ? [] : [{ kind: "serverPassword" as const, slot }];
  await deleteFreeingSlots(
    db,
    { serverId, holderId: passwordId, slots },
    (e) => e.serverPasswords.delete({ serverId, passwordId }).commit(),
    (e) => ({ audit: auditWrite(db, e, { serverId, actorId: userId, reason, action: "password_delete", targetId: passwordId }) }),
  );
}

/**
 * Joins by server name and password, checked with argon2 against every live password of the
 * server. A wrong name and a wrong password give the same 403 and cost the same argon2 work.
 */
export async function joinByPassword(
  db: Db,
  input: { name: string; password: string; userId: string },
  /** Signs the server's icon and the joiner's avatar in what is answered and announced. */
  files?: FileStore,
): Promise<{ server: Server; joined: Member | null }> {
  const guard = await db.entities.uniques.get({ kind: "serverName", value: guardValue(input.name) }).go();
  const serverId = guard.data?.holderId;
  const [server, passwords, user] = serverId
    ? await Promise.all([
        db.entities.servers.get({ serverId }).go().then((r) => r.data),
        db.entities.serverPasswords.query.byServer({ serverId }).go({ pages: "all" }).then((r) => r.data),
        db.entities.users.get({ userId: input.userId }).go().then((r) => r.data),
      ])
    : [null, [], null];
  const now = db.clock.now();
  const live = passwords.filter((p) => !isExpired(p.expiresAt, now));
  const hashes = live.length ? live.map((p) => p.hash) : [await decoyHash()];
  // One at a time, stopping at the first match: argon2 work per attempt is bounded by the
  // server's live passwords (at most MAX_LIVE_PASSWORDS), and a right guess costs no more than it must.
  let matched = false;
  for (const hash of hashes) if ((matched = await verifyPassword(hash, input.password))) break;
  if (!server || !live.length || !matched) throw new AppError("invalid_server_credentials");
  if (!user) throw new AppError("unauthorized");
  const membership = await addMember(db, server, user, new AppError("invalid_server_credentials"));
  const [icon, avatar] = await Promise.all([imageUrlOf(files, server.iconKey), imageUrlOf(files, user.avatarKey)]);
  return { server: serverView(server, icon), joined: membership && memberView(membership, isOnline(user, epochSeconds(db.clock)), avatar) };
}
