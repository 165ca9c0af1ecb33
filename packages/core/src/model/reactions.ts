/**
 * One user's reaction with one emoji to one message (channel or DM: `conversationId` is the
 * channel's or the conversation's id, both unique). Keyed by message, then emoji, then user, so
 * "who reacted with 👍" is one Query in user-id order; gsi1 keys it by user and conversation,
 * so "which of this page's messages did I react to" is one Query per page, not one per message.
 */
export const reactions = {
  model: { entity: "reaction", version: "1", service: "agorusta" },
  attributes: {
    conversationId: { type: "string", required: true, readOnly: true },
    messageId: { type: "string", required: true, readOnly: true },
    emoji: { type: "string", required: true, readOnly: true },
    userId: { type: "string", required: true, readOnly: true },
    username: { type: "string", required: true, readOnly: true },
    userCreatedAt: { type: "string", required: true, readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
  },
  indexes: {
    byMessage: {
      pk: { field: "pk", composite: ["conversationId", "messageId"], casing: "none" },
      sk: { field: "sk", composite: ["emoji", "userId"], casing: "none" },
    },
    byUser: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["userId", "conversationId"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["messageId", "emoji"], casing: "none" },
    },
  },
} as const;
