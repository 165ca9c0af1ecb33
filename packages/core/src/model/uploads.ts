import { ttlAttribute } from "../store/table.ts";

/**
 * A file a user was given a presigned PUT for. Attaching it (to a message, or as an avatar or a
 * server icon) sets `usedBy` under the condition that it is unset, so one upload is used once even
 * by two racing requests. Unused, it goes after a day: the item by TTL, its object by the bucket's
 * lifecycle rule on `pending/` (locally, the embedded runtime's sweep of the same prefix).
 */
export const uploads = {
  model: { entity: "upload", version: "1", service: "agorusta" },
  attributes: {
    uploadId: { type: "string", required: true, readOnly: true },
    ownerId: { type: "string", required: true, readOnly: true },
    /** What it may be attached to: a channel's or a DM's message, the owner's avatar, a server's icon. */
    purpose: { type: ["message", "avatar", "icon"] as const, required: true, readOnly: true },
    /** The channel or conversation (message), the user (avatar) or the server (icon). */
    scopeId: { type: "string", required: true, readOnly: true },
    filename: { type: "string", required: true, readOnly: true },
    contentType: { type: "string", required: true, readOnly: true },
    size: { type: "number", required: true, readOnly: true },
    /** Where the client PUTs the bytes: under `pending/`, which the lifecycle rule empties. */
    pendingKey: { type: "string", required: true, readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
    expiresAt: { type: "string", required: true, readOnly: true },
    /** The message id (or `avatar` / `icon`) it was attached to; unset while unused. */
    usedBy: { type: "string" },
    ttl: { type: "number", field: ttlAttribute },
  },
  indexes: {
    byId: {
      pk: { field: "pk", composite: ["uploadId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
  },
} as const;
