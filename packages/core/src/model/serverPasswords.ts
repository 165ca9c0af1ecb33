import { ttlAttribute } from "../store/table.ts";

/** A join password of a server; only its argon2id hash is stored. */
export const serverPasswords = {
  model: { entity: "serverPassword", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    passwordId: { type: "string", required: true, readOnly: true },
    label: { type: "string", readOnly: true },
    hash: { type: "string", required: true, readOnly: true },
    expiresAt: { type: "string", readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
    ttl: { type: "number", field: ttlAttribute, readOnly: true },
    /** The live slot it holds (limits/liveSlots.ts); none when created with the limits off. */
    slot: { type: "number", readOnly: true },
  },
  indexes: {
    byServer: {
      pk: { field: "pk", composite: ["serverId"], casing: "none" },
      sk: { field: "sk", composite: ["passwordId"], casing: "none" },
    },
  },
} as const;
