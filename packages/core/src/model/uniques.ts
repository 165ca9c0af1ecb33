import { ttlAttribute } from "../store/table.ts";

/**
 * Uniqueness guards. DynamoDB has no unique constraint, so each unique value gets an item
 * whose key *is* the value, put with `attribute_not_exists` in the same transaction as the
 * thing it guards. `holderId` points back at the holder (user, server, channel, DM, message).
 */
const uniqueKinds = ["email", "username", "serverName", "channelName", "dmPair", "messageNonce"] as const;
export type UniqueKind = (typeof uniqueKinds)[number];

export const uniques = {
  model: { entity: "unique", version: "1", service: "agorusta" },
  attributes: {
    kind: { type: uniqueKinds, required: true, readOnly: true },
    value: { type: "string", required: true, readOnly: true },
    holderId: { type: "string", required: true, readOnly: true },
    /** Only for guards that lapse (`messageNonce`, 24 h): epoch seconds. */
    ttl: { type: "number", field: ttlAttribute, readOnly: true },
  },
  indexes: {
    byValue: {
      pk: { field: "pk", composite: ["kind", "value"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
  },
} as const;
