/** The settings page's lists, fetched alike by the page's `load` and by a list's Retry. */
import { pageLimits } from "@agorusta/core/schemas";
import { api, send } from "#lib/session.svelte.ts";

export const fetchInvites = (serverId: string) =>
  send(api.servers[":id"].invites.$get({ param: { id: serverId }, query: { limit: String(pageLimits.invites) } }));

export const fetchPasswords = (serverId: string) => send(api.servers[":id"].passwords.$get({ param: { id: serverId } }));

export const fetchBans = (serverId: string) => send(api.servers[":id"].bans.$get({ param: { id: serverId } }));
