import { ttlAttribute } from "../store/table.ts";

/** The levels a server or channel setting can hold (api.md "Notification settings"); `default` is a channel's only. */
export const NOTIFY_LEVELS = ["default", "all", "mentions", "nothing"] as const;

/**
 * One of an account's notification settings: for a server (`scope` its id), a channel (`scope`
 * its id, `serverId` its server's) or the DMs (`scope` "dms"). All of a user's share their
 * partition, so `GET /notification-settings` is one Query. Only a setting that differs from the
 * default is stored (a server at `mentions` unmuted, a channel at `default` unmuted, DMs unmuted
 * are deleted): the partition holds what the person chose, nothing more.
 *
 * A setting at level `all` is also filed under its server (`gsi1`, written only for those: the
 * `condition`), so a push for a message finds who wants every message of its server or channel
 * with one Query, without reading every member (core/notifications/recipients.ts).
 */
export const notifySettings = {
  model: { entity: "notifySetting", version: "1", service: "agorusta" },
  attributes: {
    userId: { type: "string", required: true, readOnly: true },
    /** A server's id, a channel's id, or "dms". */
    scope: { type: "string", required: true, readOnly: true },
    /** The server a server or channel setting belongs to (the channel's, for a channel); "dms" for the DMs' (an index composite is never absent). */
    serverId: { type: "string", required: true, readOnly: true },
    kind: { type: ["server", "channel", "dms"] as const, required: true, readOnly: true },
    level: { type: NOTIFY_LEVELS, required: true },
    muted: { type: "boolean", required: true },
    /** A server's timed mute: it ends at this ISO time. */
    mutedUntil: { type: "string" },
  },
  indexes: {
    byUser: {
      pk: { field: "pk", composite: ["userId"], casing: "none" },
      sk: { field: "sk", composite: ["scope"], casing: "none" },
    },
    wantingAll: {
      index: "gsi1",
      condition: (item: Record<string, unknown>) => item.level === "all" && item.kind !== "dms",
      pk: { field: "gsi1pk", composite: ["serverId"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["scope", "userId"], casing: "none" },
    },
  },
} as const;

/**
 * A browser's Web Push subscription (api.md "Web Push"), in its user's partition (their
 * subscriptions are one Query, strongly consistent), keyed by a hash of its endpoint (an
 * endpoint can be longer than a sort key should be, and is a capability: it is not a key).
 * `sessionId` is the session that registered it: signing that session out deletes it.
 */
export const pushSubscriptions = {
  model: { entity: "pushSubscription", version: "1", service: "agorusta" },
  attributes: {
    userId: { type: "string", required: true, readOnly: true },
    /** SHA-256 of the endpoint, base64url. */
    endpointHash: { type: "string", required: true, readOnly: true },
    endpoint: { type: "string", required: true, readOnly: true },
    p256dh: { type: "string", required: true },
    auth: { type: "string", required: true },
    sessionId: { type: "string", required: true },
    createdAt: { type: "string", required: true, readOnly: true },
  },
  indexes: {
    byUser: {
      pk: { field: "pk", composite: ["userId"], casing: "none" },
      sk: { field: "sk", composite: ["endpointHash"], casing: "none" },
    },
  },
} as const;

/**
 * That a message was pushed to a user (to each of their subscriptions), created on the condition
 * that it was not yet: a job the queue delivers twice pushes nothing the second time. Gone with
 * its TTL a day later, when no retry can come any more.
 */
export const pushReceipts = {
  model: { entity: "pushReceipt", version: "1", service: "agorusta" },
  attributes: {
    userId: { type: "string", required: true, readOnly: true },
    messageId: { type: "string", required: true, readOnly: true },
    ttl: { type: "number", field: ttlAttribute, required: true, readOnly: true },
  },
  indexes: {
    byUser: {
      pk: { field: "pk", composite: ["userId"], casing: "none" },
      sk: { field: "sk", composite: ["messageId"], casing: "none" },
    },
  },
} as const;
