/** What a channel message and a DM message both carry. Author facts are copied: they never change. */
export const messageBody = {
  messageId: { type: "string", required: true, readOnly: true },
  authorId: { type: "string", required: true, readOnly: true },
  authorUsername: { type: "string", required: true, readOnly: true },
  authorCreatedAt: { type: "string", required: true, readOnly: true },
  /** The author is a bot user or a webhook (api.md "Integrations"): shown as `author.bot`. Absent: a person. */
  authorBot: { type: "boolean", readOnly: true },
  /** The webhook that posted it (its `authorId` is the webhook's id then). */
  webhookId: { type: "string", readOnly: true },
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
  /** Ids of the roles the content names (`@rolename`, channels only: permissions/roleMentions.ts); absent on older messages and DMs. */
  mentionRoles: { type: "list", items: { type: "string" } },
  /** The replied-to message as it was when the reply was sent (its author's facts never change). */
  replyTo: {
    type: "map",
    readOnly: true,
    properties: {
      messageId: { type: "string", required: true },
      authorId: { type: "string", required: true },
      authorUsername: { type: "string", required: true },
      authorCreatedAt: { type: "string", required: true },
      authorBot: { type: "boolean" },
      excerpt: { type: "string", required: true },
    },
  },
  /** Files attached when it was sent, checked against the store then (size, type, image dimensions). */
  attachments: {
    type: "list",
    readOnly: true,
    items: {
      type: "map",
      properties: {
        id: { type: "string", required: true },
        filename: { type: "string", required: true },
        contentType: { type: "string", required: true },
        size: { type: "number", required: true },
        key: { type: "string", required: true },
        width: { type: "number" },
        height: { type: "number" },
      },
    },
  },
  /** Each emoji's count, in the order it was first added (who reacted: the `reaction` items). */
  reactions: {
    type: "list",
    items: {
      type: "map",
      properties: {
        emoji: { type: "string", required: true },
        count: { type: "number", required: true },
      },
    },
  },
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
