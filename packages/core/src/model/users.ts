import { foldCase } from "../store/keys.ts";

/** An account. Email and username uniqueness live in `uniques`, written in the same transaction. */
export const users = {
  model: { entity: "user", version: "1", service: "agorusta" },
  attributes: {
    userId: { type: "string", required: true, readOnly: true },
    email: { type: "string", required: true },
    username: { type: "string", required: true, readOnly: true },
    /** The username folded as names are compared (store/keys.ts): the sort key of the prefix search. Derived here. */
    usernameLower: { type: "string", readOnly: true, watch: ["username"], set: (_: unknown, item: { username: string }) => foldCase(item.username) },
    /** First character of the folded username: shards the search index so no partition holds everyone. Derived here. */
    usernameInitial: { type: "string", readOnly: true, watch: ["username"], set: (_: unknown, item: { username: string }) => foldCase(item.username).slice(0, 1) },
    passwordHash: { type: "string", required: true },
    createdAt: { type: "string", required: true, readOnly: true },
    /** Open WebSocket connections, kept by `$connect`/`$disconnect` (presence.ts). */
    connectionCount: { type: "number" },
    /** Epoch seconds after which a count left by a missed `$disconnect` is stale (API Gateway's 2 h limit). */
    onlineUntil: { type: "number" },
    /** The minute (epoch minutes) whose presence announcements `presenceAnnounced` counts (presence.ts, flapping). */
    presenceMinute: { type: "number" },
    presenceAnnounced: { type: "number" },
    /** The avatar's object key (`avatars/<userId>/<uploadId>.<attempt>`): a new avatar is a new key, so URLs of the old one stay cacheable. */
    avatarKey: { type: "string" },
    /** Epoch ms when a connection of theirs last closed: within 2 minutes of it they count as active, and get no push (notifications/recipients.ts). */
    offlineAt: { type: "number" },
    /** Their Web Push subscriptions, kept by the transactions that add and remove them: the cap of 20 is a condition on it. */
    pushSubscriptionCount: { type: "number" },
  },
  indexes: {
    byId: {
      pk: { field: "pk", composite: ["userId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
    byUsernamePrefix: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["usernameInitial"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["usernameLower"], casing: "none" },
    },
  },
} as const;
