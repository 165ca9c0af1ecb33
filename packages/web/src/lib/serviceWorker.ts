/**
 * The page's side of the service worker (src/service-worker/): SvelteKit registers it; here the
 * notifications shown through it, and its requests to open a message (a notification's click).
 */
import { goto } from "$app/navigation";
import { isOpenMessage } from "./offline.ts";

/** The worker's registration once it is active, or null where there is none (unsupported, blocked, not yet installed). */
export async function activeRegistration(): Promise<ServiceWorkerRegistration | null> {
  if (!("serviceWorker" in navigator)) return null;
  const registration = await navigator.serviceWorker.getRegistration();
  return registration?.active ? registration : null;
}

/**
 * A notification for a message: through the worker when there is one (the same click as a push's:
 * the open tab goes to the message; Android has no other way), else the page's own.
 * The same tag in several hidden tabs of this browser makes one notification, not one per tab.
 */
export async function showNotification(title: string, body: string, tag: string, url: string): Promise<void> {
  const text = body.slice(0, 200);
  const registration = await activeRegistration();
  if (registration) return registration.showNotification(title, { body: text, tag, data: { url }, icon: "/icons/icon-192.png" });
  const notification = new Notification(title, { body: text, tag });
  notification.onclick = () => {
    focus();
    void goto(url);
    notification.close();
  };
}

/** For the app's life: a notification's click in the worker brings this tab to the message, keeping the app's state. */
export function followWorkerMessages(): () => void {
  if (!("serviceWorker" in navigator)) return () => {};
  const onMessage = (e: MessageEvent) => {
    if (isOpenMessage(e.data)) void goto(e.data.url);
  };
  navigator.serviceWorker.addEventListener("message", onMessage);
  return () => navigator.serviceWorker.removeEventListener("message", onMessage);
}
