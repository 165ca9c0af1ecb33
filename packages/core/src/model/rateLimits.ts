import { ttlAttribute } from "../store/table.ts";

/** A fixed-window attempt counter, shared by every Lambda instance; TTL removes old windows. */
export const rateLimits = {
  model: { entity: "rateLimit", version: "1", service: "agorusta" },
  attributes: {
    key: { type: "string", required: true, readOnly: true },
    window: { type: "string", required: true, readOnly: true },
    count: { type: "number", required: true, default: 0 },
    ttl: { type: "number", field: ttlAttribute },
  },
  indexes: {
    byKey: {
      pk: { field: "pk", composite: ["key"], casing: "none" },
      sk: { field: "sk", composite: ["window"], casing: "none" },
    },
  },
} as const;
