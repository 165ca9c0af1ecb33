/**
 * A user's read position in a conversation. All of a user's positions share their partition,
 * so `GET /read-states` reads them with one Query.
 */
export const readStates = {
  model: { entity: "readState", version: "1", service: "agorusta" },
  attributes: {
    userId: { type: "string", required: true, readOnly: true },
    /** A channel id or a DM conversation id. */
    conversationId: { type: "string", required: true, readOnly: true },
    lastReadMessageId: { type: "string", required: true },
  },
  indexes: {
    byUser: {
      pk: { field: "pk", composite: ["userId"], casing: "none" },
      sk: { field: "sk", composite: ["conversationId"], casing: "none" },
    },
  },
} as const;

/** Who `mentions` of everyone are filed under. Not a ULID, so no user can have it. */
export const EVERYONE = "everyone";

/**
 * One per (conversation, mentioned user, message), written with the message and removed with
 * it: a user's mention count in a conversation is one Query of the messages after their read
 * position. `@everyone` is one item filed under `EVERYONE`, never one per member.
 */
export const mentions = {
  model: { entity: "mention", version: "1", service: "agorusta" },
  attributes: {
    conversationId: { type: "string", required: true, readOnly: true },
    userId: { type: "string", required: true, readOnly: true },
    messageId: { type: "string", required: true, readOnly: true },
    /** So an author's own `@everyone` does not count for them. */
    authorId: { type: "string", required: true, readOnly: true },
  },
  indexes: {
    byMentioned: {
      pk: { field: "pk", composite: ["conversationId", "userId"], casing: "none" },
      sk: { field: "sk", composite: ["messageId"], casing: "none" },
    },
  },
} as const;
