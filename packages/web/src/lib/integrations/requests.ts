/**
 * The requests of api.md "Integrations" (webhooks, bots), through the same plain-fetch `request`
 * as the roles routes (lib/roles/requests.ts), one function each.
 */
import type { User, Webhook } from "@agorusta/core/views";
import { at, request } from "../roles/requests.ts";

export const createWebhook = (serverId: string, channelId: string, name: string) =>
  request<Webhook & { token: string; url: string }>("POST", at`/servers/${serverId}/channels/${channelId}/webhooks`, { name });
export const listWebhooks = (serverId: string) => request<Webhook[]>("GET", at`/servers/${serverId}/webhooks`);
export const updateWebhook = (serverId: string, webhookId: string, fields: { name?: string; channelId?: string }) =>
  request<Webhook>("PATCH", at`/servers/${serverId}/webhooks/${webhookId}`, fields);
export const deleteWebhook = (serverId: string, webhookId: string) => request<undefined>("DELETE", at`/servers/${serverId}/webhooks/${webhookId}`);

export const createBot = (username: string) => request<{ bot: User; token: string }>("POST", "/bots", { username });
export const listBots = () => request<User[]>("GET", "/bots");
export const regenerateBotToken = (botId: string) => request<{ token: string }>("POST", at`/bots/${botId}/token`);
export const deleteBot = (botId: string) => request<undefined>("DELETE", at`/bots/${botId}`);
export const addBotToServer = (serverId: string, botId: string) => request<undefined>("PUT", at`/servers/${serverId}/bots/${botId}`);
