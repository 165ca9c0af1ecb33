/**
 * Subscribes the socket to the servers on the rail (api.md "WebSocket: whole servers"), so their
 * channels' unread state moves live and a server's events reach a tab showing another. A
 * connection holds at most 100 subscriptions (api.md "Sessions and safety"): the open server and
 * the first on the rail are followed, up to `LIVE_SERVERS`; the others are caught up by reading
 * every server's details again when the person comes back to the tab (docs/decisions.md,
 * "Start-up in a constant number of requests").
 */
import { untrack } from "svelte";
import { directory } from "./directory.svelte.ts";
import { readStates } from "./readStates.svelte.ts";
import type { Realtime } from "./socketClient.ts";
import { LIVE_SERVERS, liveServers } from "./liveServers.ts";

/** The open server, as the shell says (`watchServers`); the catch-up waits for the same servers the watch subscribes. */
let openServer: () => string | undefined = () => undefined;
const followed = () => liveServers(directory.servers, openServer());

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
 * miss a message posted in between, of which no event came here. Once every followed server is
 * subscribed on this connection, both are read again (`listed`: the directory's first load, which
 * says which servers those are). At the first open the read states are read only here, not at
 * start as well, and the DM list, read moments before, is not read again: a conversation started
 * meanwhile is in the read states (`adoptDms`). So a start asks a fixed number of requests.
 */
export async function catchUpOnceHeld(socket: Realtime, listed: Promise<void>, reconnected: boolean): Promise<void> {
  await listed;
  await Promise.all(followed().map((id) => socket.whenHeld(id)));
  const dms = reconnected || directory.status !== "ready";
  const [, states] = await Promise.all([directory.load({ dms }).then(() => readStates.reseed()), readStates.load()]);
  // From now on a server of the first listing subscribed anew (opened, beyond the live ones) was not live: it is caught up by itself.
  directory.firstListed.clear();
  if (!dms && states) await directory.adoptDms(states).catch(() => {});
}

/** Servers not followed live are read again when the person comes back, at most this often. */
const UNFOLLOWED_CATCH_UP_MS = 60_000;

/** Call during component initialisation; follows the rail (and `open`, the server on screen) for the component's life. */
export function watchServers(realtime: () => Realtime | null, open: () => string | undefined): void {
  openServer = open;
  const held = new Map<string, () => void>();
  $effect(() => {
    const socket = realtime();
    const ids = new Set(liveServers(directory.servers, open()));
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
        // A server followed again (opened, beyond the live ones) was not live meanwhile: it is.
        if (socket.state === "open" && directory.status === "ready" && !directory.firstListed.has(id)) catchUpOnceSubscribed(socket, id);
        held.set(id, socket.subscribeServer(id));
      }
    });
  });
  // Beyond the live servers, unread marks move when the person comes back to the tab.
  let caughtUp = Date.now();
  const comeBack = () => {
    if (document.visibilityState !== "visible" || directory.servers.length <= LIVE_SERVERS) return;
    if (Date.now() - caughtUp < UNFOLLOWED_CATCH_UP_MS) return;
    caughtUp = Date.now();
    void Promise.all([directory.load({ dms: false }).then(() => readStates.reseed()), readStates.load()]);
  };
  $effect(() => {
    document.addEventListener("visibilitychange", comeBack);
    addEventListener("focus", comeBack);
    return () => {
      document.removeEventListener("visibilitychange", comeBack);
      removeEventListener("focus", comeBack);
    };
  });
  $effect(() => () => {
    for (const release of held.values()) release();
    held.clear();
  });
}
