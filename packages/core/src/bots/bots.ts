/**
 * Bot users (api.md "Bots"): a `user` item with `bot: true` and its owner's id, its username
 * guarded like anyone's (so `@name` mentions it), no email guard and no password (so it can never
 * sign in), and no search keys (model/users.ts). Its owner's list is the `bot` items of the
 * owner's partition; the owner's `botCount`, moved in the same transactions, holds the cap.
 */
import type { Db, UserItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { foldCase } from "../store/keys.ts";
import { getEach } from "../store/batches.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { endAllSessions } from "../auth/sessions.ts";
import { newBotSession } from "../auth/botTokens.ts";
import { requirePermissionIn } from "../servers/access.ts";
import { addMember } from "../servers/joining.ts";
import { removeMember } from "../servers/roster.ts";
import { JOINED, memberView, userView, type Member, type User } from "../views.ts";

/** At most this many bots per owner. */
export const MAX_BOTS_PER_OWNER = 10;

/** Not a password hash: no password verifies against it (and no email leads to a bot anyway). */
const NO_PASSWORD = "!bot";

/** Creates a bot owned by `ownerId`, and its first token (shown once). */
export async function createBot(db: Db, ownerId: string, username: string): Promise<{ bot: User; token: string }> {
  const botId = newId();
  const createdAt = nowIso(db.clock);
  const user: UserItem = { userId: botId, email: "", username, passwordHash: NO_PASSWORD, createdAt, bot: true, ownerId };
  const session = newBotSession(botId, db.clock.now());
  const refused = await transact(db, ({ uniques, users, bots, sessions }) => ({
    usernameGuard: uniques.create({ kind: "username", value: foldCase(username), holderId: botId }).commit(),
    user: users.create(user).commit(),
    owner: users
      .patch({ userId: ownerId })
      .add({ botCount: 1 })
      .where((a, op) => `${op.exists(a.passwordHash)} AND (${op.notExists(a.botCount)} OR ${op.lt(a.botCount, MAX_BOTS_PER_OWNER)}) AND ${op.notExists(a.bot)}`)
      .commit(),
    listed: bots.create({ ownerId, botId, username, createdAt }).commit(),
    session: sessions.create(session.item).commit(),
  }));
  if (refused.has("usernameGuard")) throw new AppError("username_taken");
  if (refused.has("owner")) throw new AppError("limit_reached", `You can own at most ${MAX_BOTS_PER_OWNER} bots.`);
  assertCommitted(refused, "createBot");
  return { bot: userView(user), token: session.token };
}

/** The owner's bots, as users. */
export async function listBots(db: Db, ownerId: string): Promise<User[]> {
  const { data } = await db.entities.bots.query.byOwner({ ownerId }).go({ pages: "all", consistent: true });
  const users = await getEach(
    data.map(({ botId }) => ({ userId: botId })),
    (keys) => db.entities.users.get(keys).go({ attributes: ["userId", "username", "createdAt", "bot"] }),
  );
  const byId = new Map(users.map((u) => [u.userId, u]));
  return data.flatMap((b) => {
    const u = byId.get(b.botId);
    return u ? [userView(u)] : [];
  });
}

/** 404 unless the caller owns this bot (someone else's bot is as good as none). */
async function requireOwnBot(db: Db, ownerId: string, botId: string) {
  const { data } = await db.entities.bots.get({ ownerId, botId }).go({ consistent: true });
  if (!data) throw new AppError("not_found", "No such bot.");
  return data;
}

/** A new token; every earlier one stops at once (its session is deleted). */
export async function regenerateBotToken(db: Db, ownerId: string, botId: string): Promise<{ token: string }> {
  await requireOwnBot(db, ownerId, botId);
  await endAllSessions(db, botId);
  const session = newBotSession(botId, db.clock.now());
  await db.entities.sessions.create(session.item).go();
  return { token: session.token };
}

/**
 * Deletes the bot: its tokens stop, it leaves every server (`left`: each server and the sockets
 * that listened there, for the caller to announce), then the user, its name and its listing go.
 */
export async function deleteBot(db: Db, ownerId: string, botId: string): Promise<{ left: { serverId: string; listeners: string[] }[] }> {
  const listed = await requireOwnBot(db, ownerId, botId);
  await endAllSessions(db, botId);
  const memberships = await db.entities.members.query.byUser({ userId: botId }).go({ pages: "all", attributes: ["serverId"] });
  const left = [];
  for (const { serverId } of memberships.data) {
    const removed = await removeMember(db, serverId, botId);
    if (removed) left.push({ serverId, listeners: removed.listeners });
  }
  const refused = await transact(db, ({ uniques, users, bots }) => ({
    listed: bots.delete({ ownerId, botId }).commit(),
    user: users.delete({ userId: botId }).commit(),
    name: uniques.delete({ kind: "username", value: foldCase(listed.username) }).commit(),
    owner: users.patch({ userId: ownerId }).add({ botCount: -1 }).commit(),
  }));
  assertCommitted(refused, "deleteBot");
  return { left };
}

/** The caller's bot joins the server, where the caller holds `MANAGE_GUILD`; null: it already was a member. */
export async function addBotToServer(db: Db, serverId: string, ownerId: string, botId: string): Promise<Member | null> {
  await Promise.all([requirePermissionIn(db, serverId, ownerId, "MANAGE_GUILD"), requireOwnBot(db, ownerId, botId)]);
  const [server, bot] = await Promise.all([db.entities.servers.get({ serverId }).go(), db.entities.users.get({ userId: botId }).go()]);
  if (!server.data || !bot.data) throw new AppError("not_found", "No such server.");
  const membership = await addMember(db, server.data, bot.data);
  return membership && memberView(membership, false, null, JOINED);
}
