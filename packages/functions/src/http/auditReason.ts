import type { Context } from "hono";
import { AppError } from "@agorusta/core";
import { auditReason as reasonSchema, parse } from "@agorusta/core/schemas";
import type { AuditContext } from "@agorusta/core/audit";

/** The header a moderator explains an audited change with (Discord's name). */
export const AUDIT_REASON_HEADER = "X-Audit-Log-Reason";

/**
 * The `X-Audit-Log-Reason` of a request (URL-encoded, as Discord takes it), decoded and checked:
 * absent or blank → null; not decodable, over 512 characters or with control characters → 400,
 * before anything is written.
 */
export function auditReasonOf(c: Context): string | null {
  const raw = c.req.header(AUDIT_REASON_HEADER);
  if (raw === undefined) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new AppError("invalid_request", `${AUDIT_REASON_HEADER} must be URL-encoded (percent-encoded UTF-8).`);
  }
  const reason = parse(reasonSchema, decoded);
  return reason.length ? reason : null;
}

/** Who acts (the signed-in caller) and why: what audited core functions take. */
export const auditOf = (c: Context<{ Variables: { userId: string } }>): AuditContext => ({ actorId: c.var.userId, reason: auditReasonOf(c) });
