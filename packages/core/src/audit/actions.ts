/**
 * What an audit entry records (`AuditEntry.action`, the `actionType` filter): Discord's audit log
 * events by their names, lower-cased, plus the join passwords Discord does not have. Pure: the
 * web app's filter lists them.
 */
export const AUDIT_ACTIONS = [
  "guild_update",
  "channel_create",
  "channel_update",
  "channel_delete",
  "channel_overwrite_create",
  "channel_overwrite_update",
  "channel_overwrite_delete",
  "member_kick",
  "member_ban_add",
  "member_ban_remove",
  "member_update",
  "member_role_update",
  "role_create",
  "role_update",
  "role_delete",
  "invite_create",
  "invite_delete",
  "password_create",
  "password_delete",
  "webhook_create",
  "webhook_update",
  "webhook_delete",
  "message_delete",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
