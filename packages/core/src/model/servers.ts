/** A server (guild). Its name's uniqueness lives in `uniques` (kind `serverName`). */
export const servers = {
  model: { entity: "server", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    /** Renamed by who has `MANAGE_GUILD` (servers/server.ts `renameServer`), with its guard, in one transaction. */
    name: { type: "string", required: true },
    ownerId: { type: "string", required: true, readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
    /**
     * Its channels, counted by the transactions that create them (the 500-channel cap is their
     * condition); absent on a server made before the count, which its next new channel counts.
     */
    channelCount: { type: "number" },
    /** The icon's object key (`icons/<serverId>/<uploadId>.<attempt>`), versioned like avatars. */
    iconKey: { type: "string" },
  },
  indexes: {
    byId: {
      // Shares its partition with the server's channels: one Query reads the server with them.
      collection: "serverDetail",
      pk: { field: "pk", composite: ["serverId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
  },
} as const;
