import { ttlAttribute } from "../store/table.ts";

/**
 * Who a connection belongs to, as others see them, copied from the user at `$connect` and onto
 * each subscription (usernames never change): a `typing` frame names its typist from the
 * subscription it stamps, without reading the user. Absent on items written before the copy.
 */
const whoIsListening = {
  username: { type: "string", readOnly: true },
  userCreatedAt: { type: "string", readOnly: true },
} as const;

/** An open WebSocket. The TTL outlives API Gateway's 2-hour connection limit, in case `$disconnect` never ran. */
export const connections = {
  model: { entity: "connection", version: "1", service: "agorusta" },
  attributes: {
    connectionId: { type: "string", required: true, readOnly: true },
    userId: { type: "string", required: true, readOnly: true },
    connectedAt: { type: "string", required: true, readOnly: true },
    /** Its subscriptions, kept by the same transactions that write them: the cap is a condition on it (realtimeLimits). */
    subscriptionCount: { type: "number" },
    /** The session (token `jti`) it was opened with: logout closes this session's connections. */
    sessionId: { type: "string", readOnly: true },
    /** The token's expiry (epoch seconds): a frame after it closes the connection. */
    sessionExpiresAt: { type: "number", readOnly: true },
    /** The direct conversation its last relayed `dm_typing` was for, and when (epoch ms): the 3 s throttle's condition (realtime/dmTyping.ts). */
    dmTypingIn: { type: "string" },
    dmTypingAt: { type: "number" },
    ...whoIsListening,
    ttl: { type: "number", field: ttlAttribute, readOnly: true },
  },
  indexes: {
    byId: {
      pk: { field: "pk", composite: ["connectionId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
    byUser: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["userId"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["connectionId"], casing: "none" },
    },
  },
} as const;

/** A connection's subscription to a channel; found by channel (fan-out), connection (cleanup) and server (server-wide events). */
export const subscriptions = {
  model: { entity: "subscription", version: "1", service: "agorusta" },
  attributes: {
    channelId: { type: "string", required: true, readOnly: true },
    connectionId: { type: "string", required: true, readOnly: true },
    serverId: { type: "string", required: true, readOnly: true },
    userId: { type: "string", required: true, readOnly: true },
    /** Epoch ms of the last `typing` relayed from this connection to this channel (the 3 s throttle's condition). */
    typingAt: { type: "number" },
    /** Its connection's token expiry (epoch seconds), copied at subscribe: the publisher delivers nothing past it. */
    sessionExpiresAt: { type: "number", readOnly: true },
    ...whoIsListening,
    ttl: { type: "number", field: ttlAttribute, readOnly: true },
  },
  indexes: {
    byChannel: {
      pk: { field: "pk", composite: ["channelId"], casing: "none" },
      sk: { field: "sk", composite: ["connectionId"], casing: "none" },
    },
    byConnection: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["connectionId"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["channelId"], casing: "none" },
    },
    byServer: {
      index: "gsi2",
      pk: { field: "gsi2pk", composite: ["serverId"], casing: "none" },
      sk: { field: "gsi2sk", composite: ["connectionId", "channelId"], casing: "none" },
    },
  },
} as const;

/**
 * Which version of a channel's (or whole server's) list of subscribers is current: a new random
 * `token` each time a subscription of that partition is added or removed, written right after
 * that change. A process that keeps the list it last queried reads this one small item beside a
 * send's other reads instead of querying the list again (realtime/audiences.ts). It lives in the
 * subscriptions' own partition (`channelId` is a server's id for a whole-server audience).
 */
export const audiences = {
  model: { entity: "audience", version: "1", service: "agorusta" },
  attributes: {
    channelId: { type: "string", required: true, readOnly: true },
    token: { type: "string", required: true },
  },
  indexes: {
    byChannel: {
      pk: { field: "pk", composite: ["channelId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
  },
} as const;
