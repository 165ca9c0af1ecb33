/**
 * The audit log's writer: every change the log records (api.md "Audit log") adds `auditWrite(…)`
 * to the transaction that makes the change, so the entry and the change commit together or not
 * at all. Callers name the write `audit` in their transaction.
 *
 *     const refused = await transact(db, (e) => ({
 *       role: e.serverRoles.put(…).commit(),
 *       audit: auditWrite(db, e, { serverId, actorId, action: "role_create", targetId: role.id, reason }),
 *     }));
 */
import type { Write, WriteEntities } from "../model/index.ts";
import { newId } from "../store/ids.ts";
import { nowIso, type Clock } from "../store/time.ts";
import type { AuditAction } from "./actions.ts";

/** Entries are kept this long (the contract: at least 90 days), then DynamoDB's TTL removes them. */
export const AUDIT_RETENTION_DAYS = 90;

/** A change's fields, old and new (either absent when there was none, as Discord's `changes`). */
export type AuditChanges = Record<string, { old?: unknown; new?: unknown }>;

/** What one entry says. `reason` is the caller's `X-Audit-Log-Reason`, already decoded and checked (schemas.ts `auditReason`). */
export interface AuditRecord {
  serverId: string;
  actorId: string;
  action: AuditAction;
  targetId?: string | null | undefined;
  changes?: AuditChanges | null | undefined;
  reason?: string | null | undefined;
}

/** Who acts and why: what a route hands to every core function that writes an audited change. */
export interface AuditContext {
  actorId: string;
  reason?: string | null | undefined;
}

/** The entry's write, to put in the transaction of the change it records. */
export function auditWrite(db: { clock: Clock }, entities: WriteEntities, record: AuditRecord): Write {
  const now = db.clock.now();
  return entities.auditEntries
    .create({
      serverId: record.serverId,
      entryId: newId(),
      actorId: record.actorId,
      action: record.action,
      createdAt: nowIso(db.clock),
      ttl: Math.ceil(now / 1000) + AUDIT_RETENTION_DAYS * 86_400,
      ...(record.targetId ? { targetId: record.targetId } : {}),
      ...(record.changes && Object.keys(record.changes).length ? { changes: JSON.stringify(record.changes) } : {}),
      ...(record.reason ? { reason: record.reason } : {}),
    })
    .commit();
}

/** The changes between two versions of some fields: only those that differ. */
export function diffOf<T extends Record<string, unknown>>(before: Partial<T>, after: Partial<T>): AuditChanges {
  const changes: AuditChanges = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [o, n] = [before[key], after[key]];
    if (JSON.stringify(o) !== JSON.stringify(n)) changes[key] = { ...(o !== undefined ? { old: o } : {}), ...(n !== undefined ? { new: n } : {}) };
  }
  return changes;
}
