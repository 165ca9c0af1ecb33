/**
 * Bot tokens (api.md "Bots"): `<botId>.<sessionId>.<secret>`. The session is an ordinary
 * `session` item of the bot (so the WebSocket ticket, the per-frame session check and "every
 * session of this user" work for bots unchanged) that also holds the SHA-256 of the secret.
 * Regenerating deletes the bot's sessions and opens a new one: the old token fails at once (its
 * session read is strongly consistent), and sockets opened with it fail their next frame.
 */
import type { Db, SessionItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { itemRead } from "../store/batchGet.ts";
import { deferRead } from "../store/requestScope.ts";
import { newSecret, secretMatches } from "./secretTokens.ts";
import type { TokenClaims } from "./tokens.ts";

/** A bot's token does not expire (regenerate it to end it); its session is kept ten years, which the TTL attribute needs. */
const BOT_SESSION_SECONDS = 10 * 365 * 24 * 3600;

const tokenShape = /^([0-9A-Z]{26})\.([0-9A-Z]{26})\.([A-Za-z0-9_-]{68})$/;

/** A new session for the bot, and the token that opens it (shown once). */
export function newBotSession(botId: string, now: number): { item: SessionItem; token: string } {
  const sessionId = newId();
  const { secret, hash } = newSecret();
  const item: SessionItem = { userId: botId, sessionId, createdAt: new Date(now).toISOString(), ttl: Math.floor(now / 1000) + BOT_SESSION_SECONDS, tokenHash: hash };
  return { item, token: `${botId}.${sessionId}.${secret}` };
}

const refused = () => new AppError("unauthorized", "This bot token is invalid or has been regenerated.");

/**
 * The claims a bot token names and its check, put off to travel with the request's first
 * DynamoDB call as a user's session check does (sessions.ts `deferredSessionCheck`): `open`
 * rejects with `unauthorized` unless the session exists and its hash matches the secret.
 */
export function deferredBotCheck(db: Db, token: string): { claims: TokenClaims; deferred: ReturnType<typeof deferRead>; open: Promise<unknown> } {
  const match = tokenShape.exec(token);
  if (!match) throw refused();
  const [, userId, sessionId, secret] = match as unknown as [string, string, string, string];
  const deferred = deferRead(itemRead(db.entities.sessions, { userId, sessionId }), true);
  const open = deferred.result.then((item) => {
    if (!item || !secretMatches(secret, item.tokenHash)) throw refused();
  });
  // The claims are needed before the read answers; a bot's session outlives any socket, so its expiry is "far".
  const claims: TokenClaims = { userId, sessionId, expiresAt: Math.floor(db.clock.now() / 1000) + BOT_SESSION_SECONDS };
  return { claims, deferred, open };
}
