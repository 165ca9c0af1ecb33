/**
 * The account's notification settings (api.md "Notification settings"): read on any device, and
 * each change told to every connection of the user (`notification_settings`, the settings that
 * changed in the GET's shape), so every device notifies alike at once.
 */
import { Hono } from "hono";
import type { ServerEvent } from "@agorusta/core";
import { listNotificationSettings, setChannelNotify, setDmsMuted, setServerNotify } from "@agorusta/core/notifications";
import { channelNotifyBody, channelParams, dmsNotifyBody, serverNotifyBody, serverParams } from "@agorusta/core/schemas";
import type { AppEnv, Deps } from "../deps.ts";
import { requireUser } from "../http/requireUser.ts";
import { validate } from "../http/validate.ts";
import { params } from "../http/params.ts";
import { documenting } from "../http/openapi.ts";

const doc = documenting("Notification settings");

type SettingsChange = Omit<Extract<ServerEvent, { type: "notification_settings" }>, "type">;
const announce = (deps: Deps, userId: string, change: SettingsChange) =>
  deps.publisher.toUsers([userId], { type: "notification_settings", ...change });

/** `/notification-settings`: all of the caller's, and the DMs' mute. */
export const notificationSettingsRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .use(requireUser(deps))
    .get("/", doc("All of the caller's notification settings", { ok: 200, answers: "`NotificationSettings`" }), async (c) => c.json(await listNotificationSettings(deps.db, c.var.userId), 200))
    .put("/dms", doc("Mute or unmute direct messages", { ok: 200, answers: "`{muted}`" }), validate("json", dmsNotifyBody), async (c) => {
      const setting = await setDmsMuted(deps.db, c.var.userId, c.req.valid("json").muted);
      await announce(deps, c.var.userId, setting);
      return c.json(setting, 200);
    });

/** A server's and a channel's, mounted under `/servers` (whose `requireUser` they run behind). */
export const serverNotificationRoutes = (deps: Deps) =>
  new Hono<AppEnv>()
    .put("/:id/notification-settings", doc("The caller's notification setting for a server", { ok: 200, answers: "The server's setting." }), params(serverParams), validate("json", serverNotifyBody), async (c) => {
      const serverId = c.req.valid("param").id;
      const setting = await setServerNotify(deps.db, c.var.userId, serverId, c.req.valid("json"));
      await announce(deps, c.var.userId, { servers: { [serverId]: setting } });
      return c.json(setting, 200);
    })
    .put("/:id/channels/:cid/notification-settings", doc("The caller's notification setting for a channel", { ok: 200, answers: "The channel's setting." }), params(channelParams), validate("json", channelNotifyBody), async (c) => {
      const { id: serverId, cid: channelId } = c.req.valid("param");
      const setting = await setChannelNotify(deps.db, c.var.userId, serverId, channelId, c.req.valid("json"));
      await announce(deps, c.var.userId, { channels: { [channelId]: setting } });
      return c.json(setting, 200);
    });
