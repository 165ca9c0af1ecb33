/**
 * An incoming webhook (api.md "Incoming webhooks"). Its own partition, keyed by its id: the
 * execute route names only the id and the token, and reads the item strongly, so a deletion or a
 * move stops or redirects the very next execution. Its server's list is the `byServer` index.
 * The token is never stored: `tokenHash` is its SHA-256 (auth/secretTokens.ts).
 */
export const webhooks = {
  model: { entity: "webhook", version: "1", service: "agorusta" },
  attributes: {
    webhookId: { type: "string", required: true, readOnly: true },
    serverId: { type: "string", required: true, readOnly: true },
    channelId: { type: "string", required: true },
    name: { type: "string", required: true },
    creatorId: { type: "string", required: true, readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
    tokenHash: { type: "string", required: true, readOnly: true },
  },
  indexes: {
    byId: {
      pk: { field: "pk", composite: ["webhookId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
    byServer: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["serverId"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["webhookId"], casing: "none" },
    },
  },
} as const;
