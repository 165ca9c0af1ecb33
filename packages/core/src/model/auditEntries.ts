import { ttlAttribute } from "../store/table.ts";

/**
 * One entry of a server's audit log (api.md "Audit log"): who changed what, written in the SAME
 * transaction as the change it records (audit/log.ts `auditWrite`), so there is never a change
 * without its entry nor an entry without its change. Entries are immutable and expire by TTL
 * after `AUDIT_RETENTION_DAYS` (at least the 90 days the contract promises).
 *
 * Keys: the server's partition, sorted by the entry's id (a ULID: newest last, read backwards),
 * so the log is one Query; the two filters of `GET /servers/:id/audit-log` each have their own
 * index partition (server + actor, server + action), so neither is a Scan or a filtered Query
 * that could come back empty while older matches exist.
 */
export const auditEntries = {
  model: { entity: "auditEntry", version: "1", service: "agorusta" },
  attributes: {
    serverId: { type: "string", required: true, readOnly: true },
    entryId: { type: "string", required: true, readOnly: true },
    actorId: { type: "string", required: true, readOnly: true },
    /** One of `AUDIT_ACTIONS` (audit/actions.ts). */
    action: { type: "string", required: true, readOnly: true },
    targetId: { type: "string", readOnly: true },
    /** What changed, `{field: {old?, new?}}`, as JSON text (any shape, never queried). */
    changes: { type: "string", readOnly: true },
    reason: { type: "string", readOnly: true },
    createdAt: { type: "string", required: true, readOnly: true },
    ttl: { type: "number", field: ttlAttribute, readOnly: true },
  },
  indexes: {
    byServer: {
      pk: { field: "pk", composite: ["serverId"], casing: "none" },
      sk: { field: "sk", composite: ["entryId"], casing: "none" },
    },
    byActor: {
      index: "gsi1",
      pk: { field: "gsi1pk", composite: ["serverId", "actorId"], casing: "none" },
      sk: { field: "gsi1sk", composite: ["entryId"], casing: "none" },
    },
    byAction: {
      index: "gsi2",
      pk: { field: "gsi2pk", composite: ["serverId", "action"], casing: "none" },
      sk: { field: "gsi2sk", composite: ["entryId"], casing: "none" },
    },
  },
} as const;
