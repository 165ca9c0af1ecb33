/**
 * The WebSocket client's connection, as one state machine: the phases it can be in, the events
 * that move it, and which event may move it from which phase, as data. `socketClient.ts` changes
 * phase only through `transition`, and does the work of a phase on entering it (ask for a ticket,
 * open a socket, wait out the backoff). Pure: the unit tests check it directly.
 */

/** Where the connection is. */
export type Phase =
  /** Never asked to connect. */
  | "idle"
  /** Asking the API for a one-time ticket for the next handshake. */
  | "ticket"
  /** A socket is opening with that ticket. */
  | "handshake"
  | "open"
  /** Waiting out the backoff before the next attempt. */
  | "waiting"
  /** For good: signed out, or the session ended (no ticket is given). */
  | "closed";

export type ConnectionEvent =
  /** `connect()`: the first attempt. */
  | "connect"
  /** A ticket came. */
  | "ticketed"
  /** No ticket for now (the API is unreachable): back off and try again. */
  | "unreachable"
  /** The socket opened. */
  | "opened"
  /** The socket closed, failed to open, stopped answering pings, or the network went away. */
  | "lost"
  /** The backoff is over, or someone asked to retry now. */
  | "retry"
  /** `close()`, or no ticket will ever be given (the session ended). */
  | "close";

/** Which event moves the connection from which phase, and to where. Anything else is illegal. */
export const TRANSITIONS: { readonly [P in Phase]: { readonly [E in ConnectionEvent]?: Phase } } = {
  idle: { connect: "ticket", close: "closed" },
  ticket: { ticketed: "handshake", unreachable: "waiting", close: "closed" },
  handshake: { opened: "open", lost: "waiting", close: "closed" },
  open: { lost: "waiting", close: "closed" },
  waiting: { retry: "ticket", close: "closed" },
  closed: {},
};

export class IllegalTransition extends Error {
  constructor(
    readonly phase: Phase,
    readonly event: ConnectionEvent,
  ) {
    super(`A connection in phase "${phase}" cannot take "${event}".`);
    this.name = "IllegalTransition";
  }
}

/** Whether `event` may happen in `phase` (a method that means "if it applies" asks first). */
export const allows = (phase: Phase, event: ConnectionEvent): boolean => TRANSITIONS[phase][event] !== undefined;

/** The phase `event` leads to from `phase`; throws `IllegalTransition` if it may not happen there. */
export function transition(phase: Phase, event: ConnectionEvent): Phase {
  const next = TRANSITIONS[phase][event];
  if (next === undefined) throw new IllegalTransition(phase, event);
  return next;
}

/** What the client tells its listeners and the UI shows ("Connecting…", "Reconnecting…"). */
export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

/**
 * The state a phase shows. An attempt (ticket, handshake) is "connecting" until the connection
 * has once been open, "reconnecting" after; waiting out a backoff is always "reconnecting".
 */
export function stateOf(phase: Phase, everOpened: boolean): ConnectionState {
  switch (phase) {
    case "ticket":
    case "handshake":
      return everOpened ? "reconnecting" : "connecting";
    case "waiting":
      return "reconnecting";
    default:
      return phase;
  }
}
