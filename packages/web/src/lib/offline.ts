/**
 * What the service worker (src/service-worker/) and the pages agree on: the caches' names, and the
 * messages between them. Free of Svelte and of the DOM's types, so both sides import it.
 */

/** The app's code and shell, one cache per build (the worker deletes older ones when it takes over). */
export const shellCachePrefix = "agorusta-shell-";

/**
 * The API's last answers to this browser's GETs, so the app opens offline with what was on screen.
 * The signed-in person's data: emptied when they sign out (`forgetOfflineData`).
 */
export const apiCacheName = "agorusta-api";

/** At most this many answers are kept (the oldest go first): pages of history, each channel's. */
export const apiCacheEntries = 300;

/** The worker asks an open tab to show a message (a notification's click): the tab navigates itself, keeping its state. */
export interface OpenMessage {
  type: "open";
  /** A path of the app with its fragment: `/dms/<id>#message-<id>`. */
  url: string;
}

export const isOpenMessage = (data: unknown): data is OpenMessage =>
  typeof data === "object" && data !== null && (data as OpenMessage).type === "open" && typeof (data as OpenMessage).url === "string";

/** Signing out: the signed-in person's cached answers go (Cache Storage is the origin's, not the person's). */
export async function forgetOfflineData(): Promise<void> {
  if (typeof caches !== "undefined") await caches.delete(apiCacheName).catch(() => false);
}
