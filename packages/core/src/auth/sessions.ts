/**
 * Sessions: a token is valid while its signature and expiry hold *and* its session item exists
 * (model/sessions.ts). One GetItem per authenticated request buys logout (delete the item),
 * logout everywhere and password change (delete all of the user's, found by a consistent Query
 * of the user's partition). Tickets let a WebSocket handshake carry no token in its URL.
 */
import { randomBytes } from "node:crypto";
import type { Db, SessionItem, UserItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { deleteEach } from "../store/batches.ts";
import { batchGet, itemRead } from "../store/batchGet.ts";
import { deferRead } from "../store/requestScope.ts";
import { assertCommitted, isConditionalFailure, transact } from "../store/transactions.ts";
import { TOKEN_TTL_SECONDS, type TokenClaims, type Tokens } from "./tokens.ts";

/** A new session's item and claims at `now` (the writer's `db.clock`); the caller writes the item (alone, or inside its own transaction). */
export function newSession(userId: string, now: number): { item: SessionItem; claims: TokenClaims } {
  const expiresAt = Math.floor(now / 1000) + TOKEN_TTL_SECONDS;
  const sessionId = newId();
  return {
    item: { userId, sessionId, createdAt: new Date(now).toISOString(), ttl: expiresAt },
    claims: { userId, sessionId, expiresAt },
  };
}

/**
 * Opens a session for a user whose password was just checked against `user.passwordHash`. The
 * session is written only if that hash is still the user's: a sign-in with the old password
 * that races a password change either lands before it (and is ended by it) or fails.
 *
 * With a `cap` (api.md's limits on; null: off), the user keeps at most `cap` sessions: the
 * oldest beyond it are ended (`revoked`, whose sockets the caller closes). Signing in never
 * fails for it: someone who signs in again is the one who wants in, and the oldest session is
 * the forgotten device.
 */
export async function openSession(db: Db, tokens: Tokens, user: UserItem, cap: number | null = null): Promise<{ token: string; revoked: string[] }> {
  const { item, claims } = newSession(user.userId, db.clock.now());
  const refused = await transact(db, ({ users, sessions }) => ({
    samePassword: users.check({ userId: user.userId }).where((a, op) => op.eq(a.passwordHash, user.passwordHash)).commit(),
    session: sessions.create(item).commit(),
  }));
  if (refused.has("samePassword")) throw new AppError("invalid_credentials");
  assertCommitted(refused, "openSession");
  return { token: await tokens.issue(claims), revoked: cap === null ? [] : await endSessionsBeyond(db, user.userId, cap) };
}

/**
 * Ends the user's sessions past the newest `cap` (session ids are ULIDs: newest first is key
 * order, descending). Read after the new session's write, strongly: concurrent sign-ins may each
 * end the same oldest one and leave a few over the cap for a moment, and the next sign-in ends
 * those, so the count stays within `cap` plus the sign-ins in flight.
 */
async function endSessionsBeyond(db: Db, userId: string, cap: number): Promise<string[]> {
  const { data } = await db.entities.sessions.query
    .byUser({ userId })
    .go({ pages: "all", consistent: true, order: "desc", attributes: ["userId", "sessionId"] });
  const surplus = data.slice(cap);
  await deleteEach(surplus, (keys) => db.entities.sessions.delete(keys).go());
  return surplus.map((s) => s.sessionId);
}

const ended = () => new AppError("unauthorized", "Your session has ended. Sign in again.");

/**
 * The session's check for a signed-in request, put off to travel with the request's first
 * DynamoDB call (store/requestScope.ts): `open` resolves if the session is open, and rejects
 * with `unauthorized` if it has ended. Run the request in `inRequestScope` with both.
 */
export function deferredSessionCheck(db: Db, claims: Pick<TokenClaims, "userId" | "sessionId">) {
  const deferred = deferRead(sessionRead(db, claims));
  return { deferred, open: deferred.result.then(assertOpen) };
}

/** Resolves if the session is open; `unauthorized` if it has ended (one GetItem). */
export async function requireOpen(db: Db, claims: Pick<TokenClaims, "userId" | "sessionId">): Promise<void> {
  const [item] = await batchGet(db.client, [sessionRead(db, claims)]);
  assertOpen(item);
}

/** A session is open while its item exists: logout, logout-all and a password change delete it. */
const sessionRead = (db: Db, claims: Pick<TokenClaims, "userId" | "sessionId">) =>
  itemRead(db.entities.sessions, { userId: claims.userId, sessionId: claims.sessionId });
const assertOpen = (item: unknown): void => {
  if (!item) throw ended();
};

/** Is this session still open? (The WebSocket handler asks it for each frame.) */
export async function isSessionOpen(db: Db, claims: Pick<TokenClaims, "userId" | "sessionId">): Promise<boolean> {
  return requireOpen(db, claims).then(
    () => true,
    (e: unknown) => (e instanceof AppError ? false : Promise.reject(e)),
  );
}

/** Logout: this token stops working. Idempotent. */
export async function endSession(db: Db, claims: Pick<TokenClaims, "userId" | "sessionId">): Promise<void> {
  await db.entities.sessions.delete({ userId: claims.userId, sessionId: claims.sessionId }).go();
}

/**
 * Logout everywhere: every session of the user as of now, read from the user's partition with
 * a strongly consistent Query (so none written before it is missed), deleted 25 to a batch.
 */
export async function endAllSessions(db: Db, userId: string): Promise<void> {
  const { data } = await db.entities.sessions.query
    .byUser({ userId })
    .go({ pages: "all", consistent: true, attributes: ["userId", "sessionId"] });
  await deleteEach(data, (keys) => db.entities.sessions.delete(keys).go());
}

/** How long a WebSocket ticket is good for: enough to open a socket, too short to be worth stealing from a log. */
export const WS_TICKET_TTL_MS = 30_000;

export async function issueWsTicket(db: Db, claims: TokenClaims, now = db.clock.now()): Promise<string> {
  const ticket = randomBytes(32).toString("base64url");
  await db.entities.wsTickets
    .create({
      ticket,
      userId: claims.userId,
      sessionId: claims.sessionId,
      sessionExpiresAt: claims.expiresAt,
      expiresAt: now + WS_TICKET_TTL_MS,
      ttl: Math.ceil((now + WS_TICKET_TTL_MS) / 1000) + 60,
    })
    .go();
  return ticket;
}

/** What a ticket can look like (32 random bytes, base64url): anything else is refused without a read. */
const ticketShape = /^[A-Za-z0-9_-]{43}$/;

/**
 * Consumes a ticket: a conditional delete, so of two handshakes with one ticket exactly one
 * gets it. Then its session must still be open (a logout within the 30 s ends the ticket too).
 */
export async function redeemWsTicket(
  db: Db,
  ticket: string | undefined,
  now = db.clock.now(),
): Promise<TokenClaims & { username: string; userCreatedAt: string }> {
  const refused = () => new AppError("unauthorized", "This connection ticket is invalid, used or expired. Ask POST /auth/ws-ticket for another.");
  if (!ticket || !ticketShape.test(ticket)) throw refused();
  let data;
  try {
    ({ data } = await db.entities.wsTickets
      .delete({ ticket })
      .where((a, op) => op.exists(a.userId))
      .go({ response: "all_old" }));
  } catch (e) {
    if (isConditionalFailure(e)) throw refused();
    throw e;
  }
  if (!data || data.expiresAt <= now || data.sessionExpiresAt * 1000 <= now) throw refused();
  const claims = { userId: data.userId, sessionId: data.sessionId, expiresAt: data.sessionExpiresAt };
  // Who connects, read meanwhile: the connection carries the name its typing is shown under.
  const [, user] = await Promise.all([requireOpen(db, claims), db.entities.users.get({ userId: claims.userId }).go({ attributes: ["username", "createdAt"] })]);
  if (!user.data) throw refused();
  return { ...claims, username: user.data.username, userCreatedAt: user.data.createdAt };
}
