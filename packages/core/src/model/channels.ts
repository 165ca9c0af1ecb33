/** A text channel. Its name's uniqueness within the server lives in `uniques` (kind `channelName`). */
export const channels = {
  model: { entity: "channel", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    channelId: { type: "string", required: true, readOnly: true },
    name: { type: "string", required: true, readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
    /** The position of the channel's last change in its feed (messages/changes.ts); absent: none yet. */
    seq: { type: "number" },
    /** The newest message still in the channel; moved back when it is deleted. */
    lastMessageId: { type: "string" },
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
