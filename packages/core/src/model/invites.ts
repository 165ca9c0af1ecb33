import { ttlAttribute } from "../store/table.ts";

/** An invite code. `uses` is bumped by a conditional update, in one transaction with the membership. */
export const invites = {
  model: { entity: "invite", version: "1", service: "agorusta" },
  attributes: {
    code: { type: "string", required: true, readOnly: true },
    serverId: { type: "string", required: true, readOnly: true },
    /** Copied from the server (names never change): the invite page shows it without a second read. */
    serverName: { type: "string", required: true, readOnly: true },
    creatorId: { type: "string", required: true, readOnly: true },
    /**
     * The `joinedAt` of the membership that made it: a join checks, in its transaction, that this
     * membership still exists, so an invite stops admitting once its maker is kicked, banned or
     * leaves, and does not come back if they rejoin. Absent on invites made before the check.
     */
    creatorJoinedAt: { type: "string", readOnly: true },
    maxUses: { type: "number", readOnly: true },
    uses: { type: "number", required: true, default: 0 },
    expiresAt: { type: "string", readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
    ttl: { type: "number", field: ttlAttribute, readOnly: true },
    /** The live slot it holds among the server's invites (limits/liveSlots.ts); none when created with the limits off. */
    slot: { type: "number", readOnly: true },
    /** The slot it holds among its maker's own (`invite:<creatorId>`); none for one made by who manages invites, or with the limits off. */
    memberSlot: { type: "number", readOnly: true },
  },
  indexes: {
    byCode: {
      pk: { field: "pk", composite: ["code"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
    byServer: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["serverId"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["createdAt", "code"], casing: "none" },
    },
  },
} as const;
