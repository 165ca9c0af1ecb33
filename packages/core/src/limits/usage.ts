/**
 * The abuse limits of api.md "Limits" (rates per user or address, and caps on what is live in a
 * server), all switched off together by `AGORUSTA_RATE_LIMITS=off` for load tests. The brute-force
 * limits of credential checks (attempts.ts) are not among them: they always hold.
 */
import type { RateLimitPolicy } from "./attempts.ts";

export interface UsageLimits {
  /** Messages per user per conversation (a channel or a DM). */
  messages: RateLimitPolicy;
  /** Edits per user per conversation: each is pushed whole (up to 16 KiB) to every subscriber, like a message. */
  edits: RateLimitPolicy;
  /** Reaction changes per user per conversation (a toggle that changes nothing counts too). */
  reactions: RateLimitPolicy;
  /** New DM conversations per user (opening one the pair already has is free). */
  startDm: RateLimitPolicy;
  createServer: RateLimitPolicy;
  /** Accounts per client address. */
  register: RateLimitPolicy;
  userSearch: RateLimitPolicy;
  /** Live (unexpired, undeleted) join passwords per server: each join attempt verifies them all. */
  serverPasswords: number;
  /** Live invites per server. */
  invites: number;
  /**
   * Of those, how many members who may not manage invites can hold together: the rest are kept
   * for those who may (the owner), so members can never leave them without one.
   */
  invitesOfMembers: number;
  /** Live invites of one member who may not manage invites: one member cannot fill the server's share. */
  invitesPerMember: number;
  /** Channels per server (Discord's cap). */
  channels: number;
  /** Live sessions (signed-in tokens) per user: a new sign-in past it ends the oldest. */
  sessions: number;
}

/** The contract's numbers; the reasons are in docs/decisions.md ("Sessions and safety"). */
export const usageLimits: UsageLimits = {
  messages: { limit: 20, windowSeconds: 10 },
  edits: { limit: 10, windowSeconds: 10 },
  reactions: { limit: 20, windowSeconds: 10 },
  startDm: { limit: 20, windowSeconds: 3600 },
  createServer: { limit: 10, windowSeconds: 3600 },
  register: { limit: 30, windowSeconds: 3600 },
  userSearch: { limit: 60, windowSeconds: 60 },
  serverPasswords: 10,
  invites: 1000,
  invitesOfMembers: 900,
  invitesPerMember: 20,
  channels: 500,
  sessions: 50,
};

/** `off` turns every usage limit off; anything else (or nothing) leaves them on. */
export function usageLimitsFrom(setting: string | undefined): UsageLimits | "off" {
  return setting?.trim().toLowerCase() === "off" ? "off" : usageLimits;
}
