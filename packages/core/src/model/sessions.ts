import { ttlAttribute } from "../store/table.ts";

/**
 * A signed-in session: one per token issued (register, login, password change). A token is
 * valid while its session item exists, so logout deletes one item and logout-all deletes the
 * user's. They share the user item's partition: the user's sessions are a strongly consistent
 * Query, so "every token issued until now" misses none. `ttl` is the token's own expiry.
 */
export const sessions = {
  model: { entity: "session", version: "1", service: "agorusta" },
  attributes: {
    userId: { type: "string", required: true, readOnly: true },
    sessionId: { type: "string", required: true, readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
    ttl: { type: "number", field: ttlAttribute, required: true, readOnly: true },
    /**
     * A bot's session only (auth/botTokens.ts): the SHA-256 of its token's secret, which the
     * `Bot` header must match. A user's session has none, so no JWT session passes as a bot's.
     */
    tokenHash: { type: "string", readOnly: true },
  },
  indexes: {
    byUser: {
      pk: { field: "pk", composite: ["userId"], casing: "none" },
      sk: { field: "sk", composite: ["sessionId"], casing: "none" },
    },
  },
} as const;

/**
 * A one-time ticket for the WebSocket handshake (`POST /auth/ws-ticket`): the URL of the
 * handshake carries it instead of the token, so access logs hold nothing reusable. `$connect`
 * consumes it with a conditional delete; it is good for `expiresAt` (30 s) whatever the TTL
 * sweeper has done.
 */
export const wsTickets = {
  model: { entity: "wsTicket", version: "1", service: "agorusta" },
  attributes: {
    ticket: { type: "string", required: true, readOnly: true },
    userId: { type: "string", required: true, readOnly: true },
    sessionId: { type: "string", required: true, readOnly: true },
    /** The token's expiry (epoch seconds): the connection ends with it. */
    sessionExpiresAt: { type: "number", required: true, readOnly: true },
    /** Epoch milliseconds. */
    expiresAt: { type: "number", required: true, readOnly: true },
    ttl: { type: "number", field: ttlAttribute, readOnly: true },
  },
  indexes: {
    byTicket: {
      pk: { field: "pk", composite: ["ticket"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
  },
} as const;
