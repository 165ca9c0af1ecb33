import { ttlAttribute } from "../store/table.ts";

/**
 * A server's cap on live things of a kind (join passwords, invites, one member's invites), held by the database: each
 * live one holds one of `cap` slot items, taken with a conditional put (free, or its holder
 * expired) in the transaction that creates the thing, and freed in the one that deletes it. An
 * expired holder frees its slot at `expiresAtMs`, whatever the TTL sweeper has done.
 */
export const liveSlots = {
  model: { entity: "liveSlot", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    /** The pool (limits/liveSlots.ts `SlotKind`): "serverPassword", "invite", or "invite:<userId>" for one member's own. */
    kind: { type: "string", required: true, readOnly: true },
    slot: { type: "number", required: true, readOnly: true },
    /** The password id or invite code holding it. */
    holderId: { type: "string", required: true },
    expiresAtMs: { type: "number" },
    ttl: { type: "number", field: ttlAttribute },
  },
  indexes: {
    byServer: {
      pk: { field: "pk", composite: ["serverId"], casing: "none" },
      sk: { field: "sk", composite: ["kind", "slot"], casing: "none" },
    },
  },
} as const;
