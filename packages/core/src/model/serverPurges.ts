/**
 * A deleted server whose items are still being removed: written in the very transaction that
 * retires the server, deleted by the purge when nothing of the server is left. All of them
 * share one index partition, so a worker that restarts finds the unfinished ones with a Query.
 */
export const serverPurges = {
  model: { entity: "serverPurge", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    retiredAt: { type: "string", required: true, readOnly: true },
  },
  indexes: {
    byServer: {
      pk: { field: "pk", composite: ["serverId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
    pending: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: [], casing: "none" },
      sk: { field: "gsi1sk", composite: ["retiredAt", "serverId"], casing: "none" },
    },
  },
} as const;
