import { ttlAttribute } from "../store/table.ts";

/**
 * When a member may post again in a slowed-down channel (api.md "Slowmode"): one item per
 * (channel, member), written by the send's own transaction on the condition that the time it
 * names has passed, so slowmode costs a send no request of its own. TTL removes it afterwards.
 */
export const slowmodes = {
  model: { entity: "slowmode", version: "1", service: "agorusta" },
  attributes: {
    channelId: { type: "string", required: true, readOnly: true },
    userId: { type: "string", required: true, readOnly: true },
    /** Epoch ms from which the member may post here again. */
    until: { type: "number", required: true },
    ttl: { type: "number", field: ttlAttribute },
  },
  indexes: {
    byMember: {
      pk: { field: "pk", composite: ["channelId", "userId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
  },
} as const;
