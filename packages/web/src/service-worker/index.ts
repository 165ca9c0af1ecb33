/**
 * The service worker (docs/decisions.md, "Installable app and notification settings (issue 25)"):
 *
 * - Offline, the app still opens: the shell and the build's files are cached at install, and the
 *   API's last answers to GETs are kept, so the app shows what was on screen and says it is offline
 *   (ConnectionBanner). Online it steps aside: every request goes to the network first, so the
 *   caching rules and release handling of "Caching and releases" hold as before; the caches answer
 *   only when the network does not.
 * - Pushed notifications are shown; a click focuses an open tab of the app and brings it to the
 *   message (the tab navigates itself), or opens one there.
 */
import { self } from "$app/service-worker";
import { immutable, assets } from "$app/manifest";
import { version } from "$app/env";
import { apiBase } from "#lib/config.ts";
import type { PushPayload } from "@agorusta/core/views";
import { apiCacheEntries, apiCacheName, shellCachePrefix, type OpenMessage } from "#lib/offline.ts";

const shellCache = `${shellCachePrefix}${version}`;
const api = apiBase().replace(/\/?$/, "/");

/**
 * The files the shell names besides the build's own: the scripts the build's last steps add
 * (the bootstrap moved out of the page, the shell guard) are not in Vite's list.
 */
const namedIn = (html: string) => [...html.matchAll(/\s(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(shellCache);
      const shell = await fetch("/", { cache: "no-cache" });
      if (!shell.ok) throw new Error(`The app's shell answered ${shell.status}.`);
      const named = namedIn(await shell.clone().text());
      await cache.put("/", shell);
      // Vite's paths are relative to the base, the shell's absolute: one URL each (addAll refuses a duplicate).
      const url = (path: string) => new URL(path, `${self.location.origin}/`).href;
      const files = new Set([...immutable, ...assets].map((f) => url(f.path)).concat(named.map(url)));
      await cache.addAll([...files]);
      // A new build's worker takes over at once: online it only steps in when the network fails.
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(shellCachePrefix) && name !== shellCache) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.href.startsWith(api)) return event.respondWith(apiAnswer(request));
  if (url.origin !== self.location.origin) return;
  event.respondWith(fetch(request).catch(() => cachedFile(request)));
});

/** Offline: a file of the build as cached, and the shell for any page of the app (it routes in the browser). */
async function cachedFile(request: Request): Promise<Response> {
  const cache = await caches.open(shellCache);
  const hit = request.mode === "navigate" ? await cache.match("/") : await cache.match(request, { ignoreSearch: true });
  return hit ?? Response.error();
}

/**
 * The network's answer, kept when it is a success for a signed-in request (the person's data: the
 * page deletes the cache when they sign out); the kept one when the network cannot be reached.
 */
async function apiAnswer(request: Request): Promise<Response> {
  const signedIn = request.headers.has("authorization");
  try {
    const answer = await fetch(request);
    if (signedIn && answer.status === 200) {
      const cache = await caches.open(apiCacheName);
      await cache.put(request, answer.clone());
      await trim(cache);
    }
    return answer;
  } catch (offline) {
    const kept = signedIn && (await caches.has(apiCacheName)) ? await (await caches.open(apiCacheName)).match(request) : undefined;
    if (kept) return kept;
    throw offline;
  }
}

/** Keeps the newest `apiCacheEntries` answers (a put goes to the end of the cache's keys). */
async function trim(cache: Cache) {
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - apiCacheEntries))) await cache.delete(old);
}

self.addEventListener("push", (event) => {
  const payload = event.data?.json() as PushPayload | undefined;
  if (payload?.type !== "message") return;
  event.waitUntil(
    self.registration.showNotification(payload.title, {
      body: payload.body,
      tag: payload.tag,
      data: { url: payload.url },
      icon: "/icons/icon-192.png",
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data as { url?: unknown } | null;
  const target = new URL(typeof data?.url === "string" ? data.url : "/", self.location.origin);
  // Only the app's own pages: a notification never sends anyone elsewhere.
  const path = target.origin === self.location.origin ? target.pathname + target.search + target.hash : "/";
  event.waitUntil(openAt(path));
});

/** Focuses a tab of the app and has it show `path` (it keeps its state), or opens a new one there. */
async function openAt(path: string) {
  const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const tab = tabs.find((c) => new URL(c.url).origin === self.location.origin);
  if (!tab) {
    await self.clients.openWindow(path);
    return;
  }
  tab.postMessage({ type: "open", url: path } satisfies OpenMessage);
  // Allowed only in answer to a person's click; the tab shows the message either way.
  await tab.focus().catch(() => undefined);
}
