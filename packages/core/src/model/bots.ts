/**
 * A bot in its owner's list (api.md "Bots"): the bot itself is a `user` item with `bot: true`;
 * this item, in the owner's partition beside their sessions, makes "my bots" and the cap of 10
 * one strongly consistent Query.
 */
export const bots = {
  model: { entity: "bot", version: "1", service: "agorusta" },
  attributes: {
    ownerId: { type: "string", required: true, readOnly: true },
    botId: { type: "string", required: true, readOnly: true },
    username: { type: "string", required: true, readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
  },
  indexes: {
    byOwner: {
      pk: { field: "pk", composite: ["ownerId"], casing: "none" },
      sk: { field: "sk", composite: ["botId"], casing: "none" },
    },
  },
} as const;
