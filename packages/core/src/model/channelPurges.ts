/**
 * A deleted channel whose messages, files, feed and read positions are still being removed:
 * written in the very transaction that deletes the channel, deleted by the purge when nothing of
 * it is left (servers/channelDeletion.ts). Like a deleted server's job (serverPurges.ts), all of
 * them share one index partition, so a worker that restarts finds the unfinished ones with a Query.
 */
export const channelPurges = {
  model: { entity: "channelPurge", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    channelId: { type: "string", required: true, readOnly: true },
    retiredAt: { type: "string", required: true, readOnly: true },
    /** The last member whose read position here is deleted (the purge pages through the server's members). */
    membersAfter: { type: "string" },
  },
  indexes: {
    byChannel: {
      pk: { field: "pk", composite: ["channelId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
    pending: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: [], casing: "none" },
      sk: { field: "gsi1sk", composite: ["retiredAt", "channelId"], casing: "none" },
    },
  },
} as const;
