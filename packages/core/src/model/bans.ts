/**
 * A user banned from a server. Its key is the membership's (server, user), so the join
 * transactions check it by key (`attribute_not_exists`) next to the membership they write.
 * The user's public facts (immutable) are copied so the ban list is one Query.
 */
export const bans = {
  model: { entity: "ban", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    userId: { type: "string", required: true, readOnly: true },
    username: { type: "string", required: true, readOnly: true },
    userCreatedAt: { type: "string", required: true, readOnly: true },
    reason: { type: "string" },
    bannedBy: { type: "string", required: true },
    createdAt: { type: "string", required: true },
  },
  indexes: {
    byServer: {
      pk: { field: "pk", composite: ["serverId"], casing: "none" },
      sk: { field: "sk", composite: ["userId"], casing: "none" },
    },
  },
} as const;
