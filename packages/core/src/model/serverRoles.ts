/**
 * A server's roles, every one of them (`@everyone` among them, its id the server's) in ONE item
 * beside the server (same partition, the `serverDetail` collection). Why one item: a send reads
 * the sender's membership and the channel in one BatchGetItem, and the roles it needs to compute
 * permissions join that same request as one more key; were each role its own item, their ids
 * would be known only after the membership was read (a second round trip on every send).
 *
 * `version` goes up with EVERY change that can change anyone's permissions in the server (a
 * role's permissions or position, a member's roles or timeout, a channel's overwrites), in the
 * same transaction as the change: a process that kept something computed from permissions (a
 * channel's filtered audience) keeps it only while the version it read is the current one.
 * Changes to the list are optimistic: read the item, write it back conditioned on the version read.
 *
 * No item (a server made before roles): `@everyone` with the default set, version 0
 * (servers/grants.ts), so an older server behaves exactly as before.
 */
export const serverRoles = {
  model: { entity: "serverRoles", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    roles: {
      type: "list",
      required: true,
      items: {
        type: "map",
        properties: {
          id: { type: "string", required: true },
          name: { type: "string", required: true },
          color: { type: "number" },
          position: { type: "number", required: true },
          /** Decimal string of the bits (permissions/bits.ts). */
          permissions: { type: "string", required: true },
          hoist: { type: "boolean" },
          mentionable: { type: "boolean" },
          createdAt: { type: "string", required: true },
        },
      },
    },
    version: { type: "number", required: true },
  },
  indexes: {
    byServer: {
      collection: "serverDetail",
      pk: { field: "pk", composite: ["serverId"], casing: "none" },
      sk: { field: "sk", composite: [], casing: "none" },
    },
  },
} as const;
