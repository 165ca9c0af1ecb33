/**
 * The one WebSocket client (api.md "WebSocket protocol"), shared by the pages and the tests.
 * It keeps one connection open while someone is signed in: it reconnects with capped, jittered
 * exponential backoff when the connection drops, subscribes again to every channel that is still
 * wanted, and tells its listeners so they can fetch what they missed. No SvelteKit or Svelte
 * imports: the end-to-end tests run it under Node's own WebSocket.
 */
import type { Frame, ServerEvent } from "@agorusta/core/realtime";
import type { ClientFrame } from "@agorusta/core/schemas";

export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export interface RealtimeOptions {
  /** The WebSocket endpoint, without the token. */
  url: string;
  token: () => string | null;
  /**
   * A browser cannot read why a handshake was refused. When a connection fails before it opens,
   * this is asked whether the token itself is the cause; `false` stops reconnecting for good.
   */
  tokenStillValid?: () => Promise<boolean>;
  WebSocket?: typeof WebSocket;
  /** Backoff bounds in ms: the n-th retry waits a random time in [d/2, d], d = min(max, min·2ⁿ). */
  backoff?: { min: number; max: number };
  /**
   * A ping every this many ms keeps API Gateway's 10-minute idle limit away; no pong within
   * `pongTimeoutMs` means the link is dead. `check()` pings sooner, at most once per `checkAfterMs`.
   */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  checkAfterMs?: number;
}

type Listener<T> = (value: T) => void;

export class Realtime {
  #options: Required<Omit<RealtimeOptions, "tokenStillValid">> & Pick<RealtimeOptions, "tokenStillValid">;
  #socket: WebSocket | null = null;
  #state: ConnectionState = "idle";
  /** Channel id → how many views want it; subscribed while the count is above zero. */
  #channels = new Map<string, number>();
  #attempt = 0;
  #everOpened = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #lastPing = 0;
  /** Gives up on the current socket and schedules the next attempt. */
  #lost: () => void = () => {};
  #eventListeners = new Set<Listener<ServerEvent>>();
  #stateListeners = new Set<Listener<ConnectionState>>();
  #openListeners = new Set<Listener<{ reconnected: boolean }>>();
  #frameListeners = new Set<Listener<Frame>>();

  constructor(options: RealtimeOptions) {
    this.#options = {
      WebSocket: globalThis.WebSocket,
      backoff: { min: 500, max: 15_000 },
      pingIntervalMs: 240_000,
      pongTimeoutMs: 10_000,
      checkAfterMs: 30_000,
      ...options,
    };
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Opens the connection (idempotent). */
  connect(): void {
    if (this.#state === "connecting" || this.#state === "open") return;
    clearTimeout(this.#retryTimer);
    const token = this.#options.token();
    if (!token) return this.#setState("closed");
    this.#setState(this.#everOpened ? "reconnecting" : "connecting");
    const url = new URL(this.#options.url);
    url.searchParams.set("token", token);
    const socket = new this.#options.WebSocket(url.href);
    this.#socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      const reconnected = this.#everOpened;
      this.#everOpened = true;
      this.#attempt = 0;
      this.#setState("open");
      for (const channelId of this.#channels.keys()) this.#send({ action: "subscribe", channelId });
      this.#startPing();
      for (const l of this.#openListeners) l({ reconnected });
    };
    socket.onmessage = (e) => this.#receive(e.data);
    this.#lost = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#lost = () => {};
      this.#stopPing();
      socket.onclose = socket.onmessage = socket.onopen = null;
      if (socket.readyState < 2) socket.close(4000, "gone");
      if (this.#state === "closed") return;
      this.#setState("reconnecting");
      void this.#retry(opened);
    };
    socket.onclose = () => this.#lost();
    // Every error is followed by a close, which does the work.
    socket.onerror = () => {};
  }

  /** Closes for good (sign-out). Subscriptions are forgotten. */
  close(): void {
    this.#setState("closed");
    clearTimeout(this.#retryTimer);
    this.#stopPing();
    this.#channels.clear();
    const socket = this.#socket;
    this.#socket = null;
    this.#lost = () => {};
    socket?.close(1000, "bye");
  }

  /**
   * Wants the channel's events until the returned function is called. Several views may want
   * the same channel; it is unsubscribed when the last one lets go.
   */
  subscribe(channelId: string): () => void {
    const count = this.#channels.get(channelId) ?? 0;
    this.#channels.set(channelId, count + 1);
    if (count === 0) this.#send({ action: "subscribe", channelId });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#channels.get(channelId) ?? 1) - 1;
      if (left > 0) return void this.#channels.set(channelId, left);
      this.#channels.delete(channelId);
      this.#send({ action: "unsubscribe", channelId });
    };
  }

  /** Says "I am typing" in a channel this client is subscribed to (the server refuses others). */
  typing(channelId: string): void {
    if (this.#channels.has(channelId)) this.#send({ action: "typing", channelId });
  }

  /**
   * Makes sure the link is alive now (someone is back at the screen or busy in it): a ping, unless
   * one went out in the last `checkAfterMs`. A dead link is then replaced within `pongTimeoutMs`
   * instead of at the next scheduled ping, minutes away.
   */
  check(): void {
    if (this.#state !== "open" || Date.now() - this.#lastPing < this.#options.checkAfterMs) return;
    this.#ping();
  }

  /** Server events (messages, DMs, …). */
  onEvent(listener: Listener<ServerEvent>): () => void {
    return add(this.#eventListeners, listener);
  }

  onState(listener: Listener<ConnectionState>): () => void {
    listener(this.#state);
    return add(this.#stateListeners, listener);
  }

  /** Each time the connection opens; `reconnected` is true after a drop (time to catch up). */
  onOpen(listener: Listener<{ reconnected: boolean }>): () => void {
    return add(this.#openListeners, listener);
  }

  /** Every frame, replies included (`subscribed`, `pong`, `error`): for tests and diagnostics. */
  onFrame(listener: Listener<Frame>): () => void {
    return add(this.#frameListeners, listener);
  }

  /** Tries again now rather than at the end of the backoff (the browser came back online). */
  retryNow(): void {
    if (this.#state !== "reconnecting" || this.#socket) return;
    this.#attempt = 0;
    this.connect();
  }

  async #retry(opened: boolean) {
    // A connection refused at the handshake may mean the token expired: ask once, then stop or go on.
    if (!opened && this.#options.tokenStillValid && !(await this.#options.tokenStillValid().catch(() => true))) {
      return this.close();
    }
    if (this.#state !== "reconnecting") return;
    const { min, max } = this.#options.backoff;
    const ceiling = Math.min(max, min * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.connect(), ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  #receive(data: unknown) {
    let frame: Frame;
    try {
      frame = JSON.parse(String(data)) as Frame;
    } catch {
      return;
    }
    if (typeof frame !== "object" || frame === null || typeof frame.type !== "string") return;
    for (const l of this.#frameListeners) l(frame);
    switch (frame.type) {
      case "pong":
        clearTimeout(this.#pongTimer);
        this.#pongTimer = undefined;
        return;
      case "subscribed":
      case "unsubscribed":
      case "error":
        return;
      default:
        for (const l of this.#eventListeners) l(frame);
    }
  }

  #send(action: ClientFrame) {
    if (this.#socket?.readyState === 1) this.#socket.send(JSON.stringify(action));
  }

  #startPing() {
    this.#stopPing();
    this.#lastPing = Date.now();
    this.#pingTimer = setInterval(() => this.#ping(), this.#options.pingIntervalMs);
  }

  #ping() {
    this.#lastPing = Date.now();
    this.#send({ action: "ping" });
    // A link that silently died (laptop asleep, network switched) closes nothing by itself,
    // and closing it politely could wait as long again: it is dropped at once. The clock
    // starts at the first unanswered ping; later pings do not restart it.
    this.#pongTimer ??= setTimeout(() => this.#lost(), this.#options.pongTimeoutMs);
  }

  #stopPing() {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
  }

  #setState(state: ConnectionState) {
    if (this.#state === state) return;
    this.#state = state;
    for (const l of this.#stateListeners) l(state);
  }
}

function add<T>(set: Set<T>, item: T): () => void {
  set.add(item);
  return () => void set.delete(item);
}
