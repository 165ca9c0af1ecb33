/**
 * An account's notification settings (api.md "Notification settings"): per server, per channel
 * and for DMs, kept in the user's partition (model/notifications.ts) so every device reads the
 * same. Only what differs from the default is stored. A timed mute ends by itself: it is read as
 * unmuted once `mutedUntil` has passed, with no write at that time.
 */
import type { Db, NotifySettingItem } from "../model/index.ts";
import type { ChannelNotify, NotificationSettings, ServerNotify } from "../views.ts";
import { AppError } from "../errors.ts";
import { requireMember } from "../servers/access.ts";
import { channelAccess } from "../servers/channelAccess.ts";

export const DEFAULT_SERVER_NOTIFY: ServerNotify = { level: "mentions", muted: false, mutedUntil: null };
export const DEFAULT_CHANNEL_NOTIFY: ChannelNotify = { level: "default", muted: false };
const DMS = "dms";

/** A server's setting as it holds at `nowMs` (absent: the default; a timed mute past its end: unmuted). */
export function serverNotifyOf(item: Pick<NotifySettingItem, "level" | "muted" | "mutedUntil"> | null | undefined, nowMs: number): ServerNotify {
  if (!item) return DEFAULT_SERVER_NOTIFY;
  const level = item.level === "default" ? "mentions" : item.level;
  const mutedUntil = item.muted && item.mutedUntil ? item.mutedUntil : null;
  if (mutedUntil && Date.parse(mutedUntil) <= nowMs) return { level, muted: false, mutedUntil: null };
  return { level, muted: item.muted, mutedUntil };
}

export const channelNotifyOf = (item: Pick<NotifySettingItem, "level" | "muted"> | null | undefined): ChannelNotify =>
  item ? { level: item.level, muted: item.muted } : DEFAULT_CHANNEL_NOTIFY;

/**
 * `GET /notification-settings`: one Query of the user's settings, beside one of their
 * memberships: a server they left (and its channels) is left out, though its settings are kept
 * for a return (docs/decisions.md, "Push (issue 25)").
 */
export async function listNotificationSettings(db: Db, userId: string): Promise<NotificationSettings> {
  const [settings, memberships] = await Promise.all([
    db.entities.notifySettings.query.byUser({ userId }).go({ pages: "all" }),
    db.entities.members.query.byUser({ userId }).go({ pages: "all", attributes: ["serverId"] }),
  ]);
  const member = new Set(memberships.data.map((m) => m.serverId));
  const now = db.clock.now();
  const out: NotificationSettings = { servers: {}, channels: {}, dmsMuted: false };
  for (const item of settings.data) {
    if (item.kind === "dms") out.dmsMuted = item.muted;
    else if (!member.has(item.serverId)) continue;
    else if (item.kind === "server") out.servers[item.scope] = serverNotifyOf(item, now);
    else out.channels[item.scope] = channelNotifyOf(item);
  }
  return out;
}

/** Stores a setting, or deletes it when it is the default (nothing to remember). */
async function keep(db: Db, item: NotifySettingItem, isDefault: boolean): Promise<void> {
  if (isDefault) await db.entities.notifySettings.delete({ userId: item.userId, scope: item.scope }).go();
  else await db.entities.notifySettings.put(item).go();
}

/** `PUT /servers/:id/notification-settings` (404 for a non-member). A mute that would end before now is refused (400). */
export async function setServerNotify(
  db: Db,
  userId: string,
  serverId: string,
  input: { level: ServerNotify["level"]; muted: boolean; mutedUntil?: string | null | undefined },
): Promise<ServerNotify> {
  await requireMember(db, serverId, userId);
  const mutedUntil = input.muted && input.mutedUntil ? new Date(input.mutedUntil).toISOString() : null;
  if (mutedUntil && Date.parse(mutedUntil) <= db.clock.now()) {
    throw new AppError("invalid_request", "mutedUntil must be in the future.", { issues: [{ path: "mutedUntil", message: "mutedUntil must be in the future." }] });
  }
  const setting: ServerNotify = { level: input.level, muted: input.muted, mutedUntil };
  const isDefault = setting.level === DEFAULT_SERVER_NOTIFY.level && !setting.muted;
  await keep(db, { userId, scope: serverId, serverId, kind: "server", level: setting.level, muted: setting.muted, ...(mutedUntil ? { mutedUntil } : {}) }, isDefault);
  return setting;
}

/** `PUT /servers/:id/channels/:cid/notification-settings`: 404 for a channel the caller cannot see. */
export async function setChannelNotify(db: Db, userId: string, serverId: string, channelId: string, input: ChannelNotify): Promise<ChannelNotify> {
  await channelAccess(db, serverId, channelId, userId);
  const setting: ChannelNotify = { level: input.level, muted: input.muted };
  const isDefault = setting.level === "default" && !setting.muted;
  await keep(db, { userId, scope: channelId, serverId, kind: "channel", ...setting }, isDefault);
  return setting;
}

/** `PUT /notification-settings/dms`. */
export async function setDmsMuted(db: Db, userId: string, muted: boolean): Promise<{ dmsMuted: boolean }> {
  await keep(db, { userId, scope: DMS, serverId: DMS, kind: "dms", level: "default", muted }, !muted);
  return { dmsMuted: muted };
}

/** The settings that decide a push of a message in this channel (or of a DM, without one), as read keys. */
export const settingKeys = (userId: string, where: { serverId: string; channelId: string } | "dms") =>
  where === "dms" ? [{ userId, scope: DMS }] : [{ userId, scope: where.serverId }, { userId, scope: where.channelId }];

/**
 * Whether a message notifies its recipient by their settings (api.md: a DM unless DMs are
 * muted; in a channel, by the channel's level, or its server's for `default`: `all` always,
 * `mentions` when it mentions them; `nothing` and a mute, the server's or the channel's, never).
 */
export function notifies(
  where: { kind: "dm"; dmsMuted: boolean } | { kind: "channel"; server: ServerNotify; channel: ChannelNotify; mentioned: boolean },
): boolean {
  if (where.kind === "dm") return !where.dmsMuted;
  const { server, channel, mentioned } = where;
  if (server.muted || channel.muted) return false;
  const level = channel.level === "default" ? server.level : channel.level;
  return level === "all" || (level === "mentions" && mentioned);
}
