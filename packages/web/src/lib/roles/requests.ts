/**
 * The requests of api.md's "Roles, channels, moderation: routes", one function each. They go
 * through the session's `send` (the contract's errors as `ApiError`, a refused token signs out)
 * over plain `fetch` rather than the typed `hc` client, because these routes were written at the
 * same time as this file: once they are in `AppType`, each line becomes an `api.…` call. A
 * `reason` goes as `X-Audit-Log-Reason` (URL-encoded, as the contract says).
 */
import type { ClientResponse } from "hono/client";
import type * as v from "valibot";
import type { createChannelBody, editChannelBody, reorderChannelsBody } from "@agorusta/core/schemas";
import type { AuditEntry, Channel, Member, Overwrite, Server, ServerRole } from "@agorusta/core/views";
import { apiBase } from "../config.ts";
import { send, session } from "../session.svelte.ts";

type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

function request<T>(method: Method, path: string, body?: unknown, reason?: string | null): Promise<T> {
  const headers: Record<string, string> = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  if (reason?.trim()) headers["x-audit-log-reason"] = encodeURIComponent(reason.trim());
  const response = fetch(`${apiBase()}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return send(response as unknown as Promise<ClientResponse<T, 200, "json">>) as Promise<T>;
}

/** Path segments from ids, encoded (an id is opaque: it never reaches another route). */
const at = (strings: TemplateStringsArray, ...ids: string[]) =>
  strings.reduce((path, part, i) => path + part + (i < ids.length ? encodeURIComponent(ids[i]!) : ""), "");

export interface RoleFields {
  name?: string;
  permissions?: string;
  color?: number | null;
  hoist?: boolean;
  mentionable?: boolean;
}

export const listRoles = (serverId: string) => request<ServerRole[]>("GET", at`/servers/${serverId}/roles`);
export const createRole = (serverId: string, fields: RoleFields & { name: string }, reason?: string) =>
  request<ServerRole>("POST", at`/servers/${serverId}/roles`, fields, reason);
export const updateRole = (serverId: string, roleId: string, fields: RoleFields, reason?: string) =>
  request<ServerRole>("PATCH", at`/servers/${serverId}/roles/${roleId}`, fields, reason);
export const reorderRoles = (serverId: string, positions: { id: string; position: number }[]) =>
  request<ServerRole[]>("PATCH", at`/servers/${serverId}/roles`, positions);
export const deleteRole = (serverId: string, roleId: string, reason?: string) =>
  request<undefined>("DELETE", at`/servers/${serverId}/roles/${roleId}`, undefined, reason);

export const giveRole = (serverId: string, userId: string, roleId: string, reason?: string) =>
  request<undefined>("PUT", at`/servers/${serverId}/members/${userId}/roles/${roleId}`, undefined, reason);
export const takeRole = (serverId: string, userId: string, roleId: string, reason?: string) =>
  request<undefined>("DELETE", at`/servers/${serverId}/members/${userId}/roles/${roleId}`, undefined, reason);
export const timeOut = (serverId: string, userId: string, timeoutUntil: string | null, reason?: string) =>
  request<Member>("PATCH", at`/servers/${serverId}/members/${userId}`, { timeoutUntil }, reason);
export const kick = (serverId: string, userId: string, reason?: string) =>
  request<undefined>("DELETE", at`/servers/${serverId}/members/${userId}`, undefined, reason);
export const ban = (serverId: string, userId: string, reason?: string) =>
  request<undefined>("PUT", at`/servers/${serverId}/bans/${userId}`, reason?.trim() ? { reason: reason.trim() } : {}, reason);

export const renameServer = (serverId: string, name: string, reason?: string) =>
  request<Server>("PATCH", at`/servers/${serverId}`, { name }, reason);

export type NewChannel = v.InferInput<typeof createChannelBody>;
export type ChannelFields = v.InferInput<typeof editChannelBody>;
export const createChannel = (serverId: string, fields: NewChannel, reason?: string) =>
  request<Channel>("POST", at`/servers/${serverId}/channels`, fields, reason);
export const updateChannel = (serverId: string, channelId: string, fields: ChannelFields, reason?: string) =>
  request<Channel>("PATCH", at`/servers/${serverId}/channels/${channelId}`, fields, reason);
export const reorderChannels = (serverId: string, placements: v.InferInput<typeof reorderChannelsBody>) =>
  request<Channel[]>("PATCH", at`/servers/${serverId}/channels`, placements);
export const deleteChannel = (serverId: string, channelId: string, reason?: string) =>
  request<undefined>("DELETE", at`/servers/${serverId}/channels/${channelId}`, undefined, reason);
export const putOverwrite = (serverId: string, channelId: string, overwrite: Overwrite, reason?: string) =>
  request<undefined>("PUT", at`/servers/${serverId}/channels/${channelId}/overwrites/${overwrite.id}`, {
    type: overwrite.type, allow: overwrite.allow, deny: overwrite.deny,
  }, reason);
export const deleteOverwrite = (serverId: string, channelId: string, targetId: string, reason?: string) =>
  request<undefined>("DELETE", at`/servers/${serverId}/channels/${channelId}/overwrites/${targetId}`, undefined, reason);

export interface AuditQuery {
  before?: string;
  actionType?: string;
  userId?: string;
  limit?: number;
}
export function auditLog(serverId: string, query: AuditQuery = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== "") params.set(key, String(value));
  const search = params.size ? `?${params}` : "";
  return request<AuditEntry[]>("GET", at`/servers/${serverId}/audit-log` + search);
}
