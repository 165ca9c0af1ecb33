/**
 * The signed-in person's one WebSocket connection, as state the UI can show ("Reconnecting…").
 */
import { ApiError } from "./api.ts";
import { wsBase } from "./config.ts";
import { Realtime, type ConnectionState } from "./socketClient.ts";
import { api, send, session } from "./session.svelte.ts";

class Live {
  state = $state<ConnectionState>("idle");
  #realtime: Realtime | null = null;

  /** The connection; only while signed in (the app's shell opens it). */
  get realtime(): Realtime {
    if (!this.#realtime) throw new Error("Realtime is used before the app shell opened it.");
    return this.#realtime;
  }

  /** Opens the connection for the signed-in person; the returned function closes it. */
  open(): () => void {
    const realtime = new Realtime({
      url: wsBase(),
      token: () => session.token,
      tokenStillValid: async () => {
        try {
          await send(api.auth.me.$get());
          return true;
        } catch (e) {
          // Only a refused token stops the retries; the API being down is a reason to keep trying.
          return !(e instanceof ApiError && e.status === 401);
        }
      },
    });
    this.#realtime = realtime;
    const stopState = realtime.onState((s) => (this.state = s));
    // Back online or back to the tab: no reason to wait out the backoff, and an open link may have
    // died meanwhile (a laptop that slept). Someone busy in the page wants a live link too: the
    // scheduled ping is minutes apart, so their activity checks sooner (at most every 30 s).
    const wake = () => {
      realtime.retryNow();
      realtime.check();
    };
    const onVisible = () => document.visibilityState === "visible" && wake();
    const onActivity = () => realtime.check();
    const activity = ["focus", "keydown", "pointerdown"] as const;
    addEventListener("online", wake);
    document.addEventListener("visibilitychange", onVisible);
    for (const type of activity) addEventListener(type, onActivity, { capture: true, passive: true });
    realtime.connect();
    return () => {
      removeEventListener("online", wake);
      document.removeEventListener("visibilitychange", onVisible);
      for (const type of activity) removeEventListener(type, onActivity, { capture: true });
      stopState();
      realtime.close();
      this.#realtime = null;
      this.state = "idle";
    };
  }
}

export const live = new Live();
