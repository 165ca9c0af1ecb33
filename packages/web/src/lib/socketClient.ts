/**
 * The one WebSocket client (api.md "WebSocket protocol"), shared by the pages and the tests.
 * It keeps one connection open while someone is signed in: it reconnects with capped, jittered
 * exponential backoff when the connection drops, subscribes again to every channel that is still
 * wanted, and tells its listeners so they can fetch what they missed. Where the connection is
 * (asking for a ticket, opening, open, backing off, closed) is one state machine, whose table is
 * `connectionState.ts`. No SvelteKit or Svelte imports: the end-to-end tests run it under Node's
 * own WebSocket.
 */
import type { Frame, ServerEvent } from "@agorusta/core/realtime";
import type { ClientFrame } from "@agorusta/core/schemas";
import { allows, stateOf, transition, type ConnectionEvent, type ConnectionState, type Phase } from "./connectionState.ts";

export type { ConnectionState } from "./connectionState.ts";

export interface RealtimeOptions {
  /** The WebSocket endpoint, without the ticket. */
  url: string;
  /**
   * A one-time ticket for the next handshake (`POST /auth/ws-ticket`): the token itself never goes
   * in the URL, where access logs would keep it. Asked before every attempt, so it is also the
   * check a browser cannot make of a refused handshake: null (signed out, the session ended)
   * stops reconnecting for good; a throw (the API is unreachable) is retried with backoff.
   */
  ticket: () => Promise<string | null>;
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
  /**
   * A subscription not answered (`subscribed` or `error`) within this many ms is asked again on the
   * same socket: its frame or its answer was lost (a post to `@connections` can fail), and what
   * waits for it to hold (catch-ups, read states) would otherwise wait until the next reconnect.
   */
  answerTimeoutMs?: number;
}

type Listener<T> = (value: T) => void;

export class Realtime {
  #options: Required<RealtimeOptions>;
  /** Where the connection is (connectionState.ts): changed only by `#go`. */
  #phase: Phase = "idle";
  /** Whether it was ever open: a later attempt is a reconnection, and says so. */
  #everOpened = false;
  /** The ticket being asked for (phase "ticket"): an answer to any other is not ours any more. */
  #pendingTicket: Promise<string | null> | null = null;
  /** The socket of phases "handshake" and "open". */
  #socket: WebSocket | null = null;
  /** Channel id → how many views want it; subscribed while the count is above zero. */
  #channels = new Map<string, number>();
  /** Servers whose every channel's activity and server-level events this client wants. */
  #servers = new Map<string, number>();
  /** Failed attempts since the last open: the backoff grows with them. */
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #lastPing = 0;
  #eventListeners = new Set<Listener<ServerEvent>>();
  #stateListeners = new Set<Listener<ConnectionState>>();
  #openListeners = new Set<Listener<{ reconnected: boolean }>>();
  #frameListeners = new Set<Listener<Frame>>();
  /** Servers and channels the open socket's subscriptions hold for (their `subscribed` came); none once it is given up. */
  #held = new Set<string>();
  /** Who waits for a subscription to hold: `whenHeld`. */
  #holdWaiters = new Map<string, (() => void)[]>();
  /** Subscriptions asked on the open socket and not answered yet: asked again when their timer ends. */
  #unanswered = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(options: RealtimeOptions) {
    this.#options = {
      WebSocket: globalThis.WebSocket,
      backoff: { min: 500, max: 15_000 },
      pingIntervalMs: 240_000,
      pongTimeoutMs: 10_000,
      checkAfterMs: 30_000,
      answerTimeoutMs: 10_000,
      ...options,
    };
  }

  get state(): ConnectionState {
    return stateOf(this.#phase, this.#everOpened);
  }

  /** Opens the connection; while it waits out a backoff, tries at once. Otherwise nothing (a closed client stays closed). */
  connect(): void {
    if (this.#phase === "idle") this.#go("connect");
    else if (this.#phase === "waiting") this.#go("retry");
  }

  /** Closes for good (sign-out). Subscriptions are forgotten. */
  close(): void {
    if (allows(this.#phase, "close")) this.#go("close");
  }

  /**
   * The one way the connection changes phase: the table says where `event` leads (and throws if
   * it may not happen now); the socket of the phase left is given up, listeners hear the new
   * state, and the new phase's work starts.
   */
  #go(event: ConnectionEvent, ticket?: string): void {
    const before = this.state;
    const from = this.#phase;
    this.#phase = transition(from, event);
    if (from === "ticket") this.#pendingTicket = null;
    if (from === "waiting") clearTimeout(this.#retryTimer);
    if (holdsSocket(from) && !holdsSocket(this.#phase)) this.#releaseSocket();
    const reconnected = this.#everOpened;
    if (this.#phase === "open") this.#everOpened = true;
    if (this.state !== before) for (const l of this.#stateListeners) l(this.state);
    switch (this.#phase) {
      case "ticket":
        return this.#askTicket();
      case "handshake":
        return this.#open(ticket!);
      case "open":
        return this.#opened(reconnected);
      case "waiting":
        return this.#retryLater();
      case "closed":
        return this.#closed();
    }
  }

  /** Phase "ticket": the answer says whether to open a socket, stop for good, or back off. */
  #askTicket(): void {
    const pending = this.#options.ticket();
    this.#pendingTicket = pending;
    pending.then(
      (ticket) => {
        if (this.#pendingTicket !== pending) return;
        if (ticket) this.#go("ticketed", ticket);
        else this.#go("close");
      },
      () => this.#pendingTicket === pending && this.#go("unreachable"),
    );
  }

  /** Phase "handshake". */
  #open(ticket: string): void {
    const url = new URL(this.#options.url);
    url.searchParams.set("ticket", ticket);
    const socket = new this.#options.WebSocket(url.href);
    this.#socket = socket;
    socket.onopen = () => this.#socket === socket && this.#go("opened");
    socket.onmessage = (e) => this.#receive(e.data);
    socket.onclose = () => this.#lose(socket);
    // Every error is followed by a close, which does the work.
    socket.onerror = () => {};
  }

  /** Phase "open": subscribe again to everything still wanted, keep the link checked, tell listeners. */
  #opened(reconnected: boolean): void {
    this.#attempt = 0;
    // Channels first: the open channel's catch-up waits for its subscription (conversationFeeds.svelte.ts), the servers' unread marks can wait.
    for (const channelId of this.#channels.keys()) this.#subscribeNow(this.#channels, channelId, { action: "subscribe", channelId });
    for (const serverId of this.#servers.keys()) this.#subscribeNow(this.#servers, serverId, { action: "subscribe", serverId });
    this.#startPing();
    for (const l of this.#openListeners) l({ reconnected });
  }

  /** The socket `socket` is gone (or must be given up), if it is still this client's. */
  #lose(socket: WebSocket): void {
    if (this.#socket === socket && allows(this.#phase, "lost")) this.#go("lost");
  }

  /** Leaving the phases with a socket: it is given up, quietly. */
  #releaseSocket(): void {
    const socket = this.#socket;
    this.#socket = null;
    this.#held.clear();
    for (const timer of this.#unanswered.values()) clearTimeout(timer);
    this.#unanswered.clear();
    this.#stopPing();
    if (!socket) return;
    socket.onclose = socket.onmessage = socket.onopen = null;
    if (socket.readyState < 2) socket.close(this.#phase === "closed" ? 1000 : 4000, this.#phase === "closed" ? "bye" : "gone");
  }

  /** Phase "closed". */
  #closed(): void {
    this.#channels.clear();
    this.#servers.clear();
    for (const waiters of this.#holdWaiters.values()) for (const resolve of waiters) resolve();
    this.#holdWaiters.clear();
  }

  /**
   * Wants the channel's events until the returned function is called. Several views may want
   * the same channel; it is unsubscribed when the last one lets go.
   */
  subscribe(channelId: string): () => void {
    return this.#want(this.#channels, channelId, (action) => ({ action, channelId }));
  }

  /**
   * Wants a whole server (api.md "WebSocket: whole servers"): `channel_activity` for every
   * channel, and its server-level events, until the returned function is called.
   */
  subscribeServer(serverId: string): () => void {
    return this.#want(this.#servers, serverId, (action) => ({ action, serverId }));
  }

  #want(counts: Map<string, number>, id: string, frame: (action: "subscribe" | "unsubscribe") => ClientFrame): () => void {
    const count = counts.get(id) ?? 0;
    counts.set(id, count + 1);
    if (count === 0) this.#subscribeNow(counts, id, frame("subscribe"));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (counts.get(id) ?? 1) - 1;
      if (left > 0) return void counts.set(id, left);
      counts.delete(id);
      this.#send(frame("unsubscribe"));
    };
  }

  /** Asks for a subscription on the open socket, and again until it is answered, while it is wanted. */
  #subscribeNow(counts: Map<string, number>, id: string, frame: ClientFrame): void {
    if (this.#socket?.readyState !== 1) return; // the socket's opening asks for it
    this.#send(frame);
    clearTimeout(this.#unanswered.get(id));
    this.#unanswered.set(
      id,
      setTimeout(() => {
        this.#unanswered.delete(id);
        if (counts.has(id) && !this.#held.has(id)) this.#subscribeNow(counts, id, frame);
      }, this.#options.answerTimeoutMs),
    );
  }

  /**
   * Resolves once this connection's subscription to the server (or channel) holds: its events
   * published from then on reach this client. A snapshot read after it (a member list and its
   * presence) misses nothing that the events would bring; one read before may. After a drop, it
   * waits for the subscription of the next connection. A refusal (`error` naming it) ends the
   * wait too: the snapshot is then all there is.
   */
  whenHeld(id: string): Promise<void> {
    if (this.#held.has(id)) return Promise.resolve();
    return new Promise((resolve) => this.#holdWaiters.set(id, [...(this.#holdWaiters.get(id) ?? []), resolve]));
  }

  /** A reply naming a server or channel: a subscription that now holds, or no longer does; a refusal ends the waits too. */
  #answered(id: string, reply: "subscribed" | "unsubscribed" | "error"): void {
    if (reply === "unsubscribed") return void this.#held.delete(id);
    clearTimeout(this.#unanswered.get(id));
    this.#unanswered.delete(id);
    if (reply === "subscribed") this.#held.add(id);
    const waiters = this.#holdWaiters.get(id);
    this.#holdWaiters.delete(id);
    for (const resolve of waiters ?? []) resolve();
  }

  /** Says "I am typing" in a channel this client is subscribed to (the server refuses others). */
  typing(channelId: string): void {
    if (this.#channels.has(channelId)) this.#send({ action: "typing", channelId });
  }

  /** Says "I am typing" in a direct conversation (no subscription: the server checks I take part in it). */
  typingInDm(conversationId: string): void {
    this.#send({ action: "typing", conversationId });
  }

  /**
   * Makes sure the link is alive now (someone is back at the screen or busy in it): a ping, unless
   * one went out in the last `checkAfterMs`. A dead link is then replaced within `pongTimeoutMs`
   * instead of at the next scheduled ping, minutes away.
   */
  check(): void {
    if (this.#phase !== "open" || Date.now() - this.#lastPing < this.#options.checkAfterMs) return;
    this.#ping();
  }

  /** Server events (messages, DMs, …). */
  onEvent(listener: Listener<ServerEvent>): () => void {
    return add(this.#eventListeners, listener);
  }

  onState(listener: Listener<ConnectionState>): () => void {
    listener(this.state);
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

  /**
   * The network is gone (the browser went offline): the socket cannot be trusted to be alive, and
   * nothing says so until a ping goes unanswered. Give it up now and retry with the backoff; the
   * catch-up after the next open brings what was missed.
   */
  drop(): void {
    if (this.#socket) this.#lose(this.#socket);
  }

  /** Tries again now rather than at the end of the backoff (the browser came back online). */
  retryNow(): void {
    if (this.#phase !== "waiting") return;
    this.#attempt = 0;
    this.#go("retry");
  }

  /** Phase "waiting": the next attempt, after the backoff; it asks for a new ticket, which says whether the session still holds. */
  #retryLater(): void {
    const { min, max } = this.#options.backoff;
    const ceiling = Math.min(max, min * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.#go("retry"), ceiling / 2 + (Math.random() * ceiling) / 2);
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
      case "error": {
        const { serverId, channelId } = frame as { serverId?: string; channelId?: string };
        const id = serverId ?? channelId;
        if (id) this.#answered(id, frame.type);
        return;
      }
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
    const socket = this.#socket;
    if (socket) this.#pongTimer ??= setTimeout(() => this.#lose(socket), this.#options.pongTimeoutMs);
  }

  #stopPing() {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
  }
}

/** The phases with a socket: it is opened entering "handshake" and given up leaving "open" or "handshake". */
const holdsSocket = (phase: Phase) => phase === "handshake" || phase === "open";

function add<T>(set: Set<T>, item: T): () => void {
  set.add(item);
  return () => void set.delete(item);
}
