/**
 * A text channel or a category. Its name's uniqueness within the server lives in `uniques` (kind
 * `channelName`); a rename moves that guard in the same transaction (servers/channelEdits.ts).
 */
export const channels = {
  model: { entity: "channel", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    channelId: { type: "string", required: true, readOnly: true },
    name: { type: "string", required: true },
    createdAt: { type: "string", required: true, readOnly: true },
    /** The position of the channel's last change in its feed (messages/changes.ts); absent: none yet. */
    seq: { type: "number" },
    /** The newest message still in the channel; moved back when it is deleted. */
    lastMessageId: { type: "string" },
    /** Absent on a channel made before categories: a text channel. */
    type: { type: ["text", "category"] as const },
    /** The category it is shown in; absent: top level. */
    parentId: { type: "string" },
    /** Its place among its siblings; absent on older channels: 0 (then by id, i.e. creation). */
    position: { type: "number" },
    topic: { type: "string" },
    slowmodeSeconds: { type: "number" },
    /**
     * Its permission overwrites, kept on the channel so the read a send already makes brings them
     * (permissions/compute.ts). allow and deny: decimal strings. A change bumps the server's roles `version`.
     */
    overwrites: {
      type: "list",
      items: {
        type: "map",
        properties: {
          id: { type: "string", required: true },
          type: { type: ["role", "member"] as const, required: true },
          allow: { type: "string", required: true },
          deny: { type: "string", required: true },
        },
      },
    },
  },
  indexes: {
    byServer: {
      collection: "serverDetail",
      pk: { field: "pk", composite: ["serverId"], casing: "none" },
      sk: { field: "sk", composite: ["channelId"], casing: "none" },
    },
    // WebSocket frames name only the channel; this finds its server.
    byId: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["channelId"], casing: "none" },
      sk: { field: "gsi1sk", composite: [], casing: "none" },
    },
  },
} as const;
