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

/**
 * Who `mentions` of everyone are filed under, and of roles (with their `roleIds`). Not a ULID, so
 * no user can have it.
 */
export const EVERYONE = "everyone";

/**
 * One per (conversation, mentioned user, message), written with the message and removed with
 * it: a user's mention count in a conversation is one Query of the messages after their read
 * position. `@everyone` is one item filed under `EVERYONE`, never one per member; so are a
 * message's role mentions (one item, with the `roleIds`), never one per holder of the role.
 */
export const mentions = {
  model: { entity: "mention", version: "1", service: "agorusta" },
  attributes: {
    conversationId: { type: "string", required: true, readOnly: true },
    userId: { type: "string", required: true, readOnly: true },
    messageId: { type: "string", required: true, readOnly: true },
    /** So an author's own `@everyone` does not count for them. */
    authorId: { type: "string", required: true, readOnly: true },
    /**
     * On an `EVERYONE` item only: the message mentions these roles (and not `@everyone`), so it
     * counts for the members holding one of them when counted. Absent: it mentions everyone.
     */
    roleIds: { type: "list", items: { type: "string" } },
  },
  indexes: {
    byMentioned: {
      pk: { field: "pk", composite: ["conversationId", "userId"], casing: "none" },
      sk: { field: "sk", composite: ["messageId"], casing: "none" },
    },
  },
} as const;
