import { foldCase } from "../store/keys.ts";
import { ROLES, rosterRankOf } from "../permissions/policy.ts";

/**
 * Membership of a user in a server. Server and user facts that never change (server name,
 * owner, username) are copied here so "my servers" and the member roster are one Query each.
 */
export const members = {
  model: { entity: "member", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    userId: { type: "string", required: true, readOnly: true },
    role: { type: ROLES, required: true, readOnly: true },
    /**
     * The roster's first sort key, derived from `role` by the permissions policy (highest rank
     * first: "0" for the owner, "1" for members), whatever a writer passes.
     */
    roleRank: { type: "string", readOnly: true, watch: ["role"], set: (_: unknown, item: { role: (typeof ROLES)[number] }) => rosterRankOf(item) },
    joinedAt: { type: "string", required: true, readOnly: true },
    username: { type: "string", required: true, readOnly: true },
    /** The roster's second sort key: the username folded as names are compared, derived here. */
    usernameLower: { type: "string", readOnly: true, watch: ["username"], set: (_: unknown, item: { username: string }) => foldCase(item.username) },
    userCreatedAt: { type: "string", required: true, readOnly: true },
    /** The member is a bot user (copied, as the username is: it never changes). */
    bot: { type: "boolean", readOnly: true },
    serverName: { type: "string", required: true, readOnly: true },
    serverOwnerId: { type: "string", required: true, readOnly: true },
    serverCreatedAt: { type: "string", required: true, readOnly: true },
    /**
     * The connections that subscribed to this server's channels under this membership, added by
     * the subscribe transaction itself. Deleting the membership returns them, read consistently,
     * so a kick closes exactly those sockets (subscriptions.ts, "A kicked member can keep listening").
     */
    listeners: { type: "set", items: "string" },
    /**
     * Invites made under this membership, counted by the transaction that creates each (which
     * also checks the membership is still this one). Removing a member whose count is absent
     * has no invites to revoke, and looks for none.
     */
    invitesMade: { type: "number" },
    /** The member's roles' ids (`@everyone` left out; absent: none). A change bumps the server's roles `version` (serverRoles.ts). */
    roleIds: { type: "set", items: "string" },
    /** Timed out until this ISO time (api.md "Permissions"); absent or past: not timed out. */
    timeoutUntil: { type: "string" },
  },
  indexes: {
    byServer: {
      pk: { field: "pk", composite: ["serverId"], casing: "none" },
      sk: { field: "sk", composite: ["userId"], casing: "none" },
    },
    byUser: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["userId"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["joinedAt", "serverId"], casing: "none" },
    },
    roster: {
      index: "gsi2",
      pk: { field: "gsi2pk", composite: ["serverId"], casing: "none" },
      sk: { field: "gsi2sk", composite: ["roleRank", "usernameLower"], casing: "none" },
    },
  },
} as const;
