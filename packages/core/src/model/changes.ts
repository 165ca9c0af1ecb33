import { ttlAttribute } from "../store/table.ts";

/**
 * A conversation's change feed: one immutable item per change to one of its messages, keyed by
 * the conversation's sequence number, written in the same transaction as the change and the
 * sequence's bump (messages/changes.ts). The sequence has no gaps, so a missing number means the
 * TTL took it: that is how an expired cursor is told (docs/decisions.md, "Change feeds").
 */
export const changes = {
  model: { entity: "change", version: "1", service: "agorusta" },
  attributes: {
    /** A channel id or a DM conversation id. */
    conversationId: { type: "string", required: true, readOnly: true },
    /** Zero-padded in the key, so the sort key orders numerically. */
    seq: { type: "number", required: true, readOnly: true, padding: { length: 12, char: "0" } },
    messageId: { type: "string", required: true, readOnly: true },
    kind: { type: ["created", "updated", "deleted"] as const, required: true, readOnly: true },
    /** The writer's clock, for people reading the table; nothing orders by it. */
    committedAt: { type: "string", required: true, readOnly: true },
    ttl: { type: "number", field: ttlAttribute, readOnly: true },
  },
  indexes: {
    byConversation: {
      pk: { field: "pk", composite: ["conversationId"], casing: "none" },
      sk: { field: "sk", composite: ["seq"], casing: "none" },
    },
  },
} as const;
