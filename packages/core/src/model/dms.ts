import { messageBody } from "./messages.ts";

const participant = {
  type: "map",
  required: true,
  readOnly: true,
  properties: {
    id: { type: "string", required: true },
    username: { type: "string", required: true },
    createdAt: { type: "string", required: true },
    /** A bot user (absent: a person). */
    bot: { type: "boolean" },
  },
} as const;

/** A DM conversation between two users; the pair's uniqueness lives in `uniques` (kind `dmPair`). */
export const dmConversations = {
  model: { entity: "dmConversation", version: "1", service: "agorusta" },
  attributes: {
    conversationId: { type: "string", required: true, readOnly: true },
    first: participant,
    second: participant,
    createdAt: { type: "string", required: true, readOnly: true },
    lastMessageAt: { type: "string" },
    /** The position of the conversation's last change in its feed (messages/changes.ts); absent: none yet. */
    seq: { type: "number" },
    /** The newest message still in the conversation; moved back when it is deleted. */
    lastMessageId: { type: "string" },
  },
  indexes: {
    byId: {
      pk: { field: "pk", composite: ["conversationId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
  },
} as const;

/**
 * One per participant of a conversation: the user's DM list, sorted by last activity
 * (creation, then each message) on gsi1, so "my DMs, most recent first" is one Query.
 */
export const dmInboxes = {
  model: { entity: "dmInbox", version: "1", service: "agorusta" },
  attributes: {
    userId: { type: "string", required: true, readOnly: true },
    conversationId: { type: "string", required: true, readOnly: true },
    lastActivityAt: { type: "string", required: true },
  },
  indexes: {
    byUser: {
      pk: { field: "pk", composite: ["userId"], casing: "none" },
      sk: { field: "sk", composite: ["conversationId"], casing: "none" },
    },
    recent: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["userId"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["lastActivityAt", "conversationId"], casing: "none" },
    },
  },
} as const;

export const dmMessages = {
  model: { entity: "dmMessage", version: "1", service: "agorusta" },
  attributes: {
    conversationId: { type: "string", required: true, readOnly: true },
    ...messageBody,
  },
  indexes: {
    byConversation: {
      pk: { field: "pk", composite: ["conversationId"], casing: "none" },
      sk: { field: "sk", composite: ["messageId"], casing: "none" },
    },
  },
} as const;
