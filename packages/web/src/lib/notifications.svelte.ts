/**
 * Notifications, decided by the ACCOUNT's settings (api.md "Notification settings"): the same on
 * every device, changed live there (`notification_settings`). A server's level (all messages, only
 * mentions, nothing; `mentions` by default), a channel's (or its server's, `default`), mutes (a
 * server's until a time or until turned back on; a channel's; every DM's).
 *
 * While a tab is open and hidden, this module shows them from the socket's events (the server
 * pushes only to people with no connection active); closed, the service worker shows the pushes.
 * A muted server also keeps its unread mark off the rail; its mention badges stay.
 *
 * Before issue 25 the choices lived in this browser's localStorage: `migrateDeviceSettings` moves
 * them into the account once (docs/decisions.md, "Installable app and notification settings").
 */
import type { ServerEvent } from "@agorusta/core/realtime";
import type { ChannelNotify, DmMessage, NotificationSettings as Settings, ServerNotify } from "@agorusta/core/views";
import { isApiError } from "./api.ts";
import { directory } from "./directory.svelte.ts";
import type { Activity } from "./readStates.svelte.ts";
import type { Realtime } from "./socketClient.ts";
import { api, send } from "./session.svelte.ts";
import { showNotification } from "./serviceWorker.ts";

export type NotifyLevel = ServerNotify["level"];
export type ChannelLevel = ChannelNotify["level"];

export const DEFAULT_SERVER: ServerNotify = { level: "mentions", muted: false, mutedUntil: null };
export const DEFAULT_CHANNEL: ChannelNotify = { level: "default", muted: false };

const empty = (): Settings => ({ servers: {}, channels: {}, dmsMuted: false });

const supported = () => typeof Notification !== "undefined";

class NotificationSettings {
  #settings = $state<Settings>(empty());
  /** Now, moved on when a timed mute ends, so what depends on it (the rail's unread mark) follows. */
  #now = $state(Date.now());
  #timer: ReturnType<typeof setTimeout> | undefined;
  permission = $state<NotificationPermission | "unsupported">(supported() ? Notification.permission : "unsupported");

  /** Changes applied so far (events, this tab's own PUTs): a snapshot read across one is older than it. */
  #changes = 0;

  /**
   * The account's settings, read again (at start, after a reconnect). A change that lands while
   * the read is on its way is newer than the read's answer: read again rather than undo it.
   */
  async load(): Promise<void> {
    for (;;) {
      const before = this.#changes;
      const settings = await send(api["notification-settings"].$get());
      if (before === this.#changes) return this.#replace(settings);
    }
  }

  /** A change made on any device (`notification_settings`: the settings that changed). */
  apply(change: Partial<Settings>): void {
    this.#changes++;
    this.#replace({
      servers: { ...this.#settings.servers, ...change.servers },
      channels: { ...this.#settings.channels, ...change.channels },
      dmsMuted: change.dmsMuted ?? this.#settings.dmsMuted,
    });
  }

  clear(): void {
    this.#replace(empty());
  }

  #replace(settings: Settings) {
    this.#settings = settings;
    this.#now = Date.now();
    clearTimeout(this.#timer);
    const ends = Object.values(settings.servers)
      .map((s) => (s.muted && s.mutedUntil ? Date.parse(s.mutedUntil) : NaN))
      .filter((t) => t > this.#now);
    if (ends.length > 0) this.#timer = setTimeout(() => (this.#now = Date.now()), Math.min(...ends) - this.#now + 50);
  }

  server(serverId: string): ServerNotify {
    return this.#settings.servers[serverId] ?? DEFAULT_SERVER;
  }

  /** Whether the account holds a setting of its own for the server (else the default applies). */
  hasServer(serverId: string): boolean {
    return serverId in this.#settings.servers;
  }

  channel(channelId: string): ChannelNotify {
    return this.#settings.channels[channelId] ?? DEFAULT_CHANNEL;
  }

  get dmsMuted(): boolean {
    return this.#settings.dmsMuted;
  }

  /** Whether the server is muted now (a timed mute ends by itself). */
  muted(serverId: string): boolean {
    const s = this.server(serverId);
    return s.muted && (s.mutedUntil === null || Date.parse(s.mutedUntil) > this.#now);
  }

  /** Whether a message in a channel warrants a notification: the contract's rule, as the server decides a push. */
  wanted(serverId: string, channelId: string, mentionsMe: boolean): boolean {
    const channel = this.channel(channelId);
    if (this.muted(serverId) || channel.muted) return false;
    const level = channel.level === "default" ? this.server(serverId).level : channel.level;
    return level === "all" || (level === "mentions" && mentionsMe);
  }

  /**
   * One change of this tab's: shown at once (`optimistic`), so a second click builds on the first,
   * and sent after the ones before it, so they reach the API in the order they were made. A
   * refusal reads the account's settings again.
   */
  #change<T>(optimistic: (s: Settings) => Settings, put: () => Promise<T>, saved: (s: Settings, answer: T) => Settings): Promise<void> {
    this.#changes++;
    this.#replace(optimistic(this.#settings));
    const sent = this.#sending.then(put).then(
      (answer) => {
        this.#changes++;
        this.#replace(saved(this.#settings, answer));
      },
      async (e: unknown) => {
        await this.load().catch(() => {});
        throw e;
      },
    );
    this.#sending = sent.catch(() => {});
    return sent;
  }
  #sending: Promise<unknown> = Promise.resolve();

  setServer(serverId: string, body: { level: NotifyLevel; muted: boolean; mutedUntil: string | null }): Promise<void> {
    const servers = (s: Settings, value: ServerNotify) => ({ ...s, servers: { ...s.servers, [serverId]: value } });
    return this.#change(
      (s) => servers(s, body),
      () => send(api.servers[":id"]["notification-settings"].$put({ param: { id: serverId }, json: body })),
      servers,
    );
  }

  setChannel(serverId: string, channelId: string, body: ChannelNotify): Promise<void> {
    const channels = (s: Settings, value: ChannelNotify) => ({ ...s, channels: { ...s.channels, [channelId]: value } });
    return this.#change(
      (s) => channels(s, body),
      () => send(api.servers[":id"].channels[":cid"]["notification-settings"].$put({ param: { id: serverId, cid: channelId }, json: body })),
      channels,
    );
  }

  setDmsMuted(muted: boolean): Promise<void> {
    return this.#change(
      (s) => ({ ...s, dmsMuted: muted }),
      () => send(api["notification-settings"].dms.$put({ json: { muted } })),
      (s, answer) => ({ ...s, dmsMuted: answer.dmsMuted }),
    );
  }

  /** Asks the browser (only on the person's click: browsers refuse a request nobody asked for). */
  async allow(): Promise<NotificationPermission | "unsupported"> {
    if (!supported()) return "unsupported";
    this.permission = await Notification.requestPermission();
    return this.permission;
  }
}

export const notificationSettings = new NotificationSettings();

/** The settings this browser kept before issue 25, per signed-in person. */
const deviceKey = (userId: string) => `agorusta.notifications.${userId}`;

interface DeviceChoice {
  level?: "all" | "mentions" | "none";
  muted?: boolean;
}

/**
 * Moves this browser's old per-device choices into the account, once: each server the account has
 * no setting for yet takes this browser's (a choice made on the account, on any device, wins).
 * The old key goes once every server is done; a server left since (404, 403) is skipped, a failed
 * request keeps the key for the next start.
 */
export async function migrateDeviceSettings(userId: string): Promise<void> {
  let stored: Record<string, DeviceChoice>;
  try {
    stored = JSON.parse(localStorage.getItem(deviceKey(userId)) ?? "null") as Record<string, DeviceChoice>;
  } catch {
    stored = {};
  }
  if (stored === null) return;
  let done = true;
  for (const [serverId, choice] of Object.entries(stored)) {
    if (notificationSettings.hasServer(serverId)) continue;
    const level = choice.level === "none" ? "nothing" : (choice.level ?? DEFAULT_SERVER.level);
    try {
      await notificationSettings.setServer(serverId, { level, muted: choice.muted === true, mutedUntil: null });
    } catch (e) {
      if (!(isApiError(e) && (e.status === 404 || e.status === 403))) done = false;
    }
  }
  if (done) localStorage.removeItem(deviceKey(userId));
}

/**
 * For the signed-in shell's life: the account's settings, read at each (re)connection (a change
 * missed while away) and changed live by `notification_settings`; the old per-device choices moved
 * in once; and, while the tab is hidden, a notification for each DM and server message they want.
 */
export function followNotifications(realtime: Realtime, userId: string): () => void {
  const reload = () =>
    notificationSettings.load().catch(() => {
      // Unreachable for now: the next (re)connection reads them again.
    });
  let migrated = false;
  const stopOpen = realtime.onOpen(() => {
    void reload().then(() => {
      if (migrated) return;
      migrated = true;
      return migrateDeviceSettings(userId);
    });
  });
  // One notification per message, whichever event told of it.
  const shown = new Set<string>();
  const ready = () => supported() && Notification.permission === "granted" && document.visibilityState === "hidden";
  const stopEvents = realtime.onEvent((e: ServerEvent) => {
    if (e.type === "notification_settings") {
      notificationSettings.apply(e);
    } else if (e.type === "new_dm_message") {
      if (e.message.authorId === userId || notificationSettings.dmsMuted || !ready() || shown.has(e.message.id)) return;
      shown.add(e.message.id);
      notifyDm(e.message);
    } else if (e.type === "channel_activity") {
      const mentionsMe = e.mentionsEveryone || e.mentions.includes(userId);
      if (e.authorId === userId || !ready() || shown.has(e.messageId)) return;
      if (!notificationSettings.wanted(e.serverId, e.channelId, mentionsMe)) return;
      shown.add(e.messageId);
      void notifyChannel({ ...e }, e.serverId, mentionsMe);
    }
  });
  return () => {
    stopOpen();
    stopEvents();
    notificationSettings.clear();
  };
}

function notifyDm(message: DmMessage) {
  void showNotification(message.author.username, message.content, message.id, `/dms/${message.conversationId}#message-${message.id}`);
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
  void showNotification(title, message?.content ?? "New message", a.messageId, `/servers/${serverId}/channels/${a.channelId}#message-${a.messageId}`);
}
