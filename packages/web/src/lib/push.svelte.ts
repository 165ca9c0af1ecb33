/**
 * Web Push for this browser (api.md "Web Push"): subscribing with the stage's key and telling the
 * account, and the one-time invitation to allow notifications, offered at a moment that explains
 * itself (after the person's first message here, or when they open a DM), never on first load.
 */
import { api, send } from "./session.svelte.ts";
import { activeRegistration } from "./serviceWorker.ts";
import { notificationSettings } from "./notifications.svelte.ts";

/** The VAPID public key (base64url) as the bytes `PushManager.subscribe` wants. */
const keyBytes = (base64url: string) => Uint8Array.from(atob(base64url.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** Whether this person turned push on in this browser (the browser's permission is the origin's, not the person's). */
const pushKey = (userId: string) => `agorusta.push.${userId}`;

/**
 * Subscribes this browser (or takes its existing subscription) and registers it with the account,
 * under this session (the server ends it with the session). Quietly nothing where push is not
 * available (no worker, no PushManager, notifications not allowed).
 */
export async function enablePush(userId: string): Promise<boolean> {
  const done = await subscribeToPush();
  if (done) localStorage.setItem(pushKey(userId), "on");
  return done;
}

/** At each sign-in and start: registers this browser again under this session, if this person turned push on here. */
export async function resumePush(userId: string): Promise<void> {
  if (localStorage.getItem(pushKey(userId))) await subscribeToPush().catch(() => false);
}

async function subscribeToPush(): Promise<boolean> {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return false;
  const registration = await activeRegistration();
  if (!registration || !("pushManager" in registration)) return false;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    const { publicKey } = await send(api.push.key.$get());
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  }
  const { endpoint, keys } = subscription.toJSON();
  if (!endpoint || !keys?.p256dh || !keys.auth) return false;
  await send(api.push.subscriptions.$post({ json: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } } }));
  return true;
}

const browserSubscription = async () => (await activeRegistration())?.pushManager.getSubscription() ?? null;

/** Signing out here, while the token still works: the account forgets this browser's subscription (the server also does as the session ends). */
export async function unsubscribeFromPush(): Promise<void> {
  const subscription = await browserSubscription();
  if (subscription) await send(api.push.subscriptions.$delete({ json: { endpoint: subscription.endpoint } })).catch(() => undefined);
}

/** Signed out, however (here, everywhere, expired): the browser drops the subscription, so the next person here gets none of these pushes. */
export async function dropBrowserSubscription(): Promise<void> {
  await (await browserSubscription())?.unsubscribe().catch(() => false);
}

const inviteKey = (userId: string) => `agorusta.notifyInvite.${userId}`;

/** The invitation to allow notifications: shown once per person and browser, until answered or dismissed. */
class NotifyInvite {
  shown = $state(false);
  #userId: string | null = null;

  /** The signed-in person (null when signed out): the invitation is theirs. */
  for(userId: string | null): void {
    this.#userId = userId;
    this.shown = false;
  }

  /** A moment that explains the question (a first message sent, a DM opened): offers it, once. */
  moment(): void {
    if (!this.#userId || this.shown || notificationSettings.permission !== "default") return;
    if (localStorage.getItem(inviteKey(this.#userId))) return;
    this.shown = true;
  }

  /** Yes: the browser asks, and on yes this browser subscribes. */
  async accept(): Promise<void> {
    this.#close("answered");
    const userId = this.#userId;
    if ((await notificationSettings.allow()) === "granted" && userId) await enablePush(userId).catch(() => false);
  }

  dismiss(): void {
    this.#close("dismissed");
  }

  #close(how: string) {
    this.shown = false;
    if (this.#userId) localStorage.setItem(inviteKey(this.#userId), how);
  }
}

export const notifyInvite = new NotifyInvite();
