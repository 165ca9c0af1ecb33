/**
 * Subscribes the socket to every server on the rail (api.md "WebSocket: whole servers"), so
 * every channel's unread state moves live and a server's events reach a tab showing another.
 */
import { untrack } from "svelte";
import { directory } from "./directory.svelte.ts";
import { readStates } from "./readStates.svelte.ts";
import type { Realtime } from "./socketClient.ts";

/**
 * A server that comes onto the rail while the socket is open (joined in another tab or device)
 * was read before its subscription held: a message posted in between reached no event here. Once
 * the server answers `subscribed`, its channels' newest messages and the read states (mention
 * counts) are read again. (At every open, the catch-up after it does the same for all servers.)
 */
function catchUpOnceSubscribed(socket: Realtime, serverId: string): void {
  const stop = socket.onFrame((frame) => {
    if (frame.type !== "subscribed" || (frame as { serverId?: string }).serverId !== serverId) return;
    stop();
    void directory.loadDetail(serverId).then(() => readStates.load(), () => {});
  });
}

/**
 * Each time the connection opens (the first time, and again after a drop), what was read before
 * its subscriptions held — the directory's newest messages, the read states' mention counts — may
 * miss a message posted in between, of which no event came here. Once every server on the rail
 * is subscribed on this connection, both are read again (`listed`: the directory's first load,
 * which says which servers those are).
 */
export async function catchUpOnceHeld(socket: Realtime, listed: Promise<void>): Promise<void> {
  await listed;
  await Promise.all(directory.servers.map((s) => socket.whenHeld(s.id)));
  await Promise.all([directory.load().then(() => readStates.reseed()), readStates.load()]);
}

/** Call during component initialisation; follows the rail for the component's life. */
export function watchServers(realtime: () => Realtime | null): void {
  const held = new Map<string, () => void>();
  $effect(() => {
    const socket = realtime();
    const ids = new Set(directory.servers.map((s) => s.id));
    untrack(() => {
      for (const [id, release] of held) {
        if (!ids.has(id) || !socket) {
          release();
          held.delete(id);
        }
      }
      if (!socket) return;
      for (const id of ids) {
        if (held.has(id)) continue;
        // Not for a server of the first listing that lands after the socket opened: the open's
        // catch-up covers every one of them in one read, not one read each (issue 27 item 3).
        if (socket.state === "open" && directory.status === "ready" && !directory.firstListed.has(id)) catchUpOnceSubscribed(socket, id);
        held.set(id, socket.subscribeServer(id));
      }
    });
  });
  $effect(() => () => {
    for (const release of held.values()) release();
    held.clear();
  });
}
