/**
 * Servers this person stops being in — they left, were kicked, or the owner deleted the server —
 * in this tab or any other of theirs: the server leaves the rail, a page showing it goes home,
 * and a toast says what happened. Also the other server-level events the sidebar follows.
 */
import { goto } from "$app/navigation";
import { page } from "$app/state";
import type { ServerEvent } from "@agorusta/core/realtime";
import type { Server } from "@agorusta/core/views";
import { directory } from "./directory.svelte.ts";
import { self } from "./roles/self.svelte.ts";
import type { Realtime } from "./socketClient.ts";
import { session } from "./session.svelte.ts";
import { toasts } from "./toasts.svelte.ts";

type Say = (server: Server) => string;

/** What to say for a loss this tab asked for; the event about it may come before the request's answer. */
const asked = new Map<string, Say>();

/** Leaves or deletes a server (`request`), then says `say` and goes home. Throws the request's error. */
export async function endMembership(serverId: string, say: Say, request: () => Promise<unknown>): Promise<void> {
  asked.set(serverId, say);
  try {
    await request();
  } catch (e) {
    asked.delete(serverId);
    throw e;
  }
  await loseServer(serverId, say);
}

/** Idempotent: the event and the request's answer may both report one loss. */
async function loseServer(serverId: string, say: Say): Promise<void> {
  if (losing.has(serverId)) return;
  // Not on the rail yet (joined a moment ago, the list still on its way) but on screen: it goes all the same.
  const shown = page.params.serverId === serverId ? directory.details.get(serverId) : undefined;
  const server = directory.removeServer(serverId) ?? shown;
  if (!server) return;
  losing.add(serverId);
  try {
    toasts.show((asked.get(serverId) ?? say)(server));
    asked.delete(serverId);
    // The page showing it goes first: it reads the server's details until it is gone.
    if (page.params.serverId === serverId) await goto("/", { replaceState: true });
    directory.forgetDetail(serverId);
  } finally {
    losing.delete(serverId);
  }
}

/** Losses being told (a toast, the way home): the second report of one waits for nothing. */
const losing = new Set<string>();

/** For the signed-in shell's life: new channels, servers joined in another tab, and losses. */
export function followServerEvents(realtime: Realtime): () => void {
  return realtime.onEvent((e: ServerEvent) => {
    const me = session.me?.id;
    switch (e.type) {
      case "member_joined":
        if (e.member.user.id === me) void directory.joinedElsewhere(e.serverId);
        return;
      case "member_left":
        if (e.userId === me) void loseServer(e.serverId, (s) => `You are no longer a member of ${s.name}.`);
        return;
      case "server_updated":
        return directory.updateServer(e.server);
      case "role_created":
      case "role_updated":
        directory.putRole(e.serverId, e.role);
        return refreshIfMine(e.serverId, e.role.id);
      case "role_deleted":
        directory.removeRole(e.serverId, e.roleId);
        return refreshIfMine(e.serverId, e.roleId);
      case "channel_created":
        directory.addChannel(e.channel);
        // Created, or just made visible to me: my permissions in it are the API's to compute.
        return directory.refresh(e.channel.serverId);
      case "channel_updated":
        directory.updateChannel(e.channel);
        return directory.refresh(e.channel.serverId);
      case "channel_deleted":
        return loseChannel(e.serverId, e.channelId);
      case "member_updated":
        if (e.member.user.id !== me) return;
        self.set(e.serverId, e.member);
        return directory.refresh(e.serverId);
      case "server_deleted":
        return void loseServer(e.serverId, (s) => (s.ownerId === me ? `${s.name} was deleted.` : `${s.name} was deleted by its owner.`));
    }
  });
}

/** A role that may be mine changed: my permissions are fetched again (unknown membership: in case). */
function refreshIfMine(serverId: string, roleId: string): void {
  const mine = self.in(serverId);
  if (roleId === serverId || !mine || (mine.roles ?? []).includes(roleId)) directory.refresh(serverId);
}

/**
 * A channel was deleted, or I may no longer see it: it leaves the sidebar (a page showing it goes
 * to the server's first channel, saying why: the channel page does, however it learnt it).
 */
function loseChannel(serverId: string, channelId: string): void {
  directory.removeChannel(serverId, channelId);
}
