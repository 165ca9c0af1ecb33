/**
 * Desktop notifications (the browser's Notification API), only once the person allowed them and
 * only while the tab is hidden: DMs always; a server's messages as that server's setting says
 * (all messages, only mentions, nothing), and never from a muted server. A muted server also
 * keeps its unread mark off the rail; its mention badges stay (someone wants you).
 *
 * The settings are per device (localStorage, per signed-in person): which machine should ring
 * is a choice about that machine (see docs/decisions.md).
 */
import { goto } from "$app/navigation";
import type { ServerEvent } from "@agorusta/core/realtime";
import type { DmMessage } from "@agorusta/core/views";
import { directory } from "./directory.svelte.ts";
import type { Activity } from "./readStates.svelte.ts";
import type { Realtime } from "./socketClient.ts";
import { api, send, session } from "./session.svelte.ts";

export type NotifyLevel = "all" | "mentions" | "none";

export interface ServerPrefs {
  level: NotifyLevel;
  muted: boolean;
}

export const DEFAULT_PREFS: ServerPrefs = { level: "mentions", muted: false };

const key = (userId: string) => `agorusta.notifications.${userId}`;

const supported = () => typeof Notification !== "undefined";

class NotificationSettings {
  #prefs = $state<Record<string, ServerPrefs>>({});
  permission = $state<NotificationPermission | "unsupported">(supported() ? Notification.permission : "unsupported");

  /** Reads this device's settings of the signed-in person, and follows changes made in their other tabs. */
  follow(userId: string): () => void {
    const read = () => {
      try {
        this.#prefs = JSON.parse(localStorage.getItem(key(userId)) ?? "{}") as Record<string, ServerPrefs>;
      } catch {
        this.#prefs = {};
      }
    };
    read();
    const onStorage = (e: StorageEvent) => e.key === key(userId) && read();
    addEventListener("storage", onStorage);
    return () => removeEventListener("storage", onStorage);
  }

  of(serverId: string): ServerPrefs {
    return { ...DEFAULT_PREFS, ...this.#prefs[serverId] };
  }

  muted(serverId: string): boolean {
    return this.of(serverId).muted;
  }

  set(serverId: string, prefs: Partial<ServerPrefs>): void {
    this.#prefs = { ...this.#prefs, [serverId]: { ...this.of(serverId), ...prefs } };
    const me = session.me?.id;
    if (me) localStorage.setItem(key(me), JSON.stringify(this.#prefs));
  }

  /** Asks the browser (only on the person's click: browsers refuse a request nobody asked for). */
  async allow(): Promise<void> {
    if (!supported()) return;
    this.permission = await Notification.requestPermission();
  }
}

export const notificationSettings = new NotificationSettings();

/** Whether a message in a server warrants a notification, by that server's settings. */
export function wanted(prefs: ServerPrefs, mentionsMe: boolean): boolean {
  if (prefs.muted || prefs.level === "none") return false;
  return prefs.level === "all" || mentionsMe;
}

/** For the signed-in shell's life: notifies of DMs and server messages as the settings say. */
export function followNotifications(realtime: Realtime): () => void {
  // One notification per message, whichever event told of it.
  const shown = new Set<string>();
  const ready = () => supported() && Notification.permission === "granted" && document.visibilityState === "hidden";
  return realtime.onEvent((e: ServerEvent) => {
    if (e.type === "new_dm_message") {
      if (e.message.authorId === session.me?.id || !ready() || shown.has(e.message.id)) return;
      shown.add(e.message.id);
      notifyDm(e.message);
    } else if (e.type === "channel_activity") {
      const me = session.me?.id ?? "";
      const mentionsMe = e.mentionsEveryone || e.mentions.includes(me);
      if (e.authorId === me || !ready() || shown.has(e.messageId)) return;
      if (!wanted(notificationSettings.of(e.serverId), mentionsMe)) return;
      shown.add(e.messageId);
      void notifyChannel({ ...e }, e.serverId, mentionsMe);
    }
  });
}

function notifyDm(message: DmMessage) {
  show(message.author.username, message.content, message.id, `/dms/${message.conversationId}`);
}

/** `channel_activity` says who and where, not what: the message's text comes from its page. */
async function notifyChannel(a: Activity, serverId: string, mentionsMe: boolean) {
  const detail = directory.details.get(serverId);
  const channel = detail?.channels.find((c) => c.id === a.channelId);
  const where = `#${channel?.name ?? "a channel"}${detail ? ` (${detail.name})` : ""}`;
  const page = await send(
    api.servers[":id"].channels[":cid"].messages.$get({ param: { id: serverId, cid: a.channelId }, query: { limit: "20" } }),
  ).catch(() => []);
  const message = page.find((m) => m.id === a.messageId);
  const who = message?.author.username ?? "Someone";
  const title = mentionsMe ? `${who} mentioned you in ${where}` : `${who} in ${where}`;
  show(title, message?.content ?? "New message", a.messageId, `/servers/${serverId}/channels/${a.channelId}`);
}

function show(title: string, body: string, tag: string, href: string) {
  // The same tag in several hidden tabs of this browser makes one notification, not one per tab.
  const notification = new Notification(title, { body: body.slice(0, 200), tag });
  notification.onclick = () => {
    focus();
    void goto(href);
    notification.close();
  };
}
