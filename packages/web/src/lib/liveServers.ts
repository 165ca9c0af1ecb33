/** Which servers one connection follows whole (serverWatch.svelte.ts; docs/decisions.md, "Start-up in a constant number of requests"). */
import type { Server } from "@agorusta/core/views";

/**
 * Servers one connection follows whole: api.md's 100 subscriptions a connection, less room for
 * the open channel's own subscription and a few more (each view that watches a channel takes one).
 */
export const LIVE_SERVERS = 90;

/** The servers followed live: the open one first (if it is on the rail), then the rail's order, `LIVE_SERVERS` at most. */
export function liveServers(servers: readonly Pick<Server, "id">[], open: string | undefined): string[] {
  const ids = servers.map((s) => s.id);
  const first = open !== undefined && ids.includes(open) ? [open] : [];
  return [...first, ...ids.filter((id) => id !== open)].slice(0, LIVE_SERVERS);
}

