/** What a channel message and a DM message both carry. Author facts are copied: they never change. */
export const messageBody = {
  messageId: { type: "string", required: true, readOnly: true },
  authorId: { type: "string", required: true, readOnly: true },
  authorUsername: { type: "string", required: true, readOnly: true },
  authorCreatedAt: { type: "string", required: true, readOnly: true },
  content: { type: "string", required: true },
  createdAt: { type: "string", required: true, readOnly: true },
  editedAt: { type: "string" },
  /** Grows by one with every change to the message (1 when created): of two copies, a client keeps the higher. */
  revision: { type: "number", required: true, default: 1 },
  /** The sender's idempotency key (api.md "Idempotent sends"); its guard is a `uniques` item of kind `messageNonce`. */
  nonce: { type: "string", readOnly: true },
  /** Ids of the users the content names (`@username`, members only; in a DM, the other participant). */
  mentions: { type: "list", items: { type: "string" }, required: true, default: () => [] },
  /** `@everyone` written by the server's owner. */
  mentionsEveryone: { type: "boolean", required: true, default: false },
} as const;

/** A channel message; `messageId` is a ULID, so the sort key orders history by time. */
export const messages = {
  model: { entity: "message", version: "1", service: "agorusta" },
  attributes: {
    channelId: { type: "string", required: true, readOnly: true },
    serverId: { type: "string", required: true, readOnly: true },
    ...messageBody,
  },
  indexes: {
    byChannel: {
      pk: { field: "pk", composite: ["channelId"], casing: "none" },
      sk: { field: "sk", composite: ["messageId"], casing: "none" },
    },
  },
} as const;
