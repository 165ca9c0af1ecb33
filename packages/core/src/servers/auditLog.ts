/**
 * Reading a server's audit log (`GET /servers/:id/audit-log`, `VIEW_AUDIT_LOG`): newest first,
 * one Query of the partition that answers the filter (the server's, the server+actor index's,
 * or the server+action index's), resumed strictly before `before`. No Scan, and no filtered Query
 * that reads past entries it cannot return, except both filters at once (the actor's entries,
 * filtered by action; `count` keeps reading until the page is full or the log ends).
 */
import type { AuditEntryItem, Db } from "../model/index.ts";
import { requirePermissionIn } from "./access.ts";
import type { AuditEntry } from "../views.ts";
import type { AuditAction } from "../audit/actions.ts";

export const auditEntryView = (e: AuditEntryItem): AuditEntry => ({
  id: e.entryId,
  serverId: e.serverId,
  actorId: e.actorId,
  action: e.action,
  targetId: e.targetId ?? null,
  changes: e.changes ? (JSON.parse(e.changes) as Record<string, unknown>) : null,
  reason: e.reason ?? null,
  createdAt: e.createdAt,
});

export interface AuditLogQuery {
  limit: number;
  before?: string | undefined;
  actionType?: AuditAction | undefined;
  userId?: string | undefined;
}

export async function listAuditLog(db: Db, serverId: string, callerId: string, query: AuditLogQuery): Promise<AuditEntry[]> {
  await requirePermissionIn(db, serverId, callerId, "VIEW_AUDIT_LOG");
  const q = db.entities.auditEntries.query;
  const { userId, actionType, before } = query;
  const options = { order: "desc", count: query.limit } as const;
  // Strictly before `before`; without one, below "~", which is above every ULID.
  const below = { entryId: before ?? "~" };
  const found = userId
    ? await q
        .byActor({ serverId, actorId: userId })
        .lt(below)
        .where((a, op) => (actionType ? op.eq(a.action, actionType as string) : ""))
        .go(options)
    : actionType
      ? await q.byAction({ serverId, action: actionType }).lt(below).go(options)
      : await q.byServer({ serverId }).lt(below).go(options);
  return found.data.map(auditEntryView);
}
