/**
 * Subscribes the socket to every server on the rail (api.md "WebSocket: whole servers"), so
 * every channel's unread state moves live and a server's events reach a tab showing another.
 */
import { untrack } from "svelte";
import { directory } from "./directory.svelte.ts";
import type { Realtime } from "./socketClient.ts";

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
      if (socket) for (const id of ids) if (!held.has(id)) held.set(id, socket.subscribeServer(id));
    });
  });
  $effect(() => () => {
    for (const release of held.values()) release();
    held.clear();
  });
}
