/**
 * The WebSocket client's state machine (src/lib/connectionState.ts): its table, the illegal
 * transitions, the state each phase shows; and the client itself (src/lib/socketClient.ts) moving
 * only along that table, with a socket and tickets the test controls (no server).
 */
import { describe, expect, it, vi } from "vitest";
import {
  allows,
  IllegalTransition,
  stateOf,
  transition,
  TRANSITIONS,
  type ConnectionEvent,
  type Phase,
} from "../src/lib/connectionState.ts";
import { Realtime, type ConnectionState } from "../src/lib/socketClient.ts";

const phases = Object.keys(TRANSITIONS) as Phase[];
const events: ConnectionEvent[] = ["connect", "ticketed", "unreachable", "opened", "lost", "retry", "close"];

describe("the connection's table", () => {
  it("walks a connection's life: first attempt, open, drop, backoff, retry, close", () => {
    const path: ConnectionEvent[] = ["connect", "ticketed", "opened", "lost", "retry", "unreachable", "retry", "ticketed", "opened", "close"];
    const visited = path.reduce<Phase[]>((seen, event) => [...seen, transition(seen.at(-1)!, event)], ["idle"]);
    expect(visited).toEqual(["idle", "ticket", "handshake", "open", "waiting", "ticket", "waiting", "ticket", "handshake", "open", "closed"]);
  });

  it("refuses every event the table does not list, naming the phase and the event", () => {
    let refused = 0;
    for (const phase of phases) {
      for (const event of events) {
        if (allows(phase, event)) {
          expect(transition(phase, event)).toBe(TRANSITIONS[phase][event]);
          continue;
        }
        refused += 1;
        expect(() => transition(phase, event)).toThrow(IllegalTransition);
        expect(() => transition(phase, event)).toThrow(`phase "${phase}" cannot take "${event}"`);
      }
    }
    // 6 phases × 7 events, 12 of them legal.
    expect(refused).toBe(phases.length * events.length - 12);
  });

  it("has the illegal transitions one would fear: opening twice, a socket opening before its ticket, leaving closed", () => {
    expect(() => transition("ticket", "connect")).toThrow(IllegalTransition);
    expect(() => transition("open", "connect")).toThrow(IllegalTransition);
    expect(() => transition("ticket", "opened")).toThrow(IllegalTransition);
    expect(() => transition("open", "retry")).toThrow(IllegalTransition);
    expect(() => transition("waiting", "lost")).toThrow(IllegalTransition);
    for (const event of events) expect(() => transition("closed", event)).toThrow(IllegalTransition);
  });

  it("reaches every phase from idle, and can close from every phase but closed", () => {
    const reached = new Set<Phase>(["idle"]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const phase of [...reached]) {
        for (const next of Object.values(TRANSITIONS[phase])) {
          if (reached.has(next)) continue;
          reached.add(next);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...phases].sort());
    for (const phase of phases) expect(allows(phase, "close")).toBe(phase !== "closed");
  });

  it("shows an attempt as connecting until the connection has once been open, reconnecting after", () => {
    expect(phases.map((p) => stateOf(p, false))).toEqual(["idle", "connecting", "connecting", "open", "reconnecting", "closed"]);
    expect(phases.map((p) => stateOf(p, true))).toEqual(["idle", "reconnecting", "reconnecting", "open", "reconnecting", "closed"]);
  });
});

/** A WebSocket the test opens and closes; every one made is kept, newest last. */
class FakeSocket {
  static made: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closedWith: number | null = null;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  /** The server accepts the handshake. */
  accept() {
    this.readyState = 1;
    this.onopen?.();
  }
  /** The server (or the network) drops it. */
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

/** A client over fake sockets whose tickets the test hands out one by one. */
function fakeClient() {
  FakeSocket.made = [];
  const tickets: { resolve: (t: string | null) => void; reject: (e: Error) => void }[] = [];
  const ticket = vi.fn(() => new Promise<string | null>((resolve, reject) => tickets.push({ resolve, reject })));
  const realtime = new Realtime({
    url: "ws://example.invalid/ws",
    ticket,
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    backoff: { min: 1, max: 2 },
  });
  const states: ConnectionState[] = [];
  realtime.onState((s) => states.push(s));
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { realtime, ticket, tickets, states, settle, socket: () => FakeSocket.made.at(-1)! };
}

describe("Realtime moves only along the table", () => {
  it("opens, drops, backs off and opens again, telling each state once", async () => {
    const c = fakeClient();
    c.realtime.connect();
    c.tickets[0]!.resolve("t1");
    await c.settle();
    expect(c.socket().url).toBe("ws://example.invalid/ws?ticket=t1");
    c.socket().accept();
    c.socket().drop();
    await vi.waitFor(() => expect(c.ticket).toHaveBeenCalledTimes(2));
    c.tickets[1]!.resolve("t2");
    await c.settle();
    c.socket().accept();
    expect(c.states).toEqual(["idle", "connecting", "open", "reconnecting", "open"]);
  });

  it("ignores what does not apply in its phase: connect while connecting or open, retryNow and drop unless they mean something", async () => {
    const c = fakeClient();
    c.realtime.retryNow(); // idle: nothing to retry
    c.realtime.drop(); // no socket to drop
    c.realtime.connect();
    c.realtime.connect(); // a ticket is on its way: not a second one
    expect(c.ticket).toHaveBeenCalledTimes(1);
    c.tickets[0]!.resolve("t1");
    await c.settle();
    c.realtime.connect(); // opening: no second socket
    c.socket().accept();
    c.realtime.connect();
    c.realtime.retryNow();
    expect(FakeSocket.made).toHaveLength(1);
    expect(c.ticket).toHaveBeenCalledTimes(1);
    expect(c.realtime.state).toBe("open");
  });

  it("stays closed: no ticket is asked for, no socket opened, and a late ticket or socket event changes nothing", async () => {
    const c = fakeClient();
    c.realtime.connect();
    c.realtime.close();
    c.tickets[0]!.resolve("late");
    await c.settle();
    expect(FakeSocket.made).toHaveLength(0);
    c.realtime.connect();
    c.realtime.retryNow();
    c.realtime.close();
    expect(c.ticket).toHaveBeenCalledTimes(1);
    expect(c.states).toEqual(["idle", "connecting", "closed"]);
  });

  it("closes an open socket politely, and that socket's later events are not heard", async () => {
    const c = fakeClient();
    c.realtime.connect();
    c.tickets[0]!.resolve("t1");
    await c.settle();
    const socket = c.socket();
    socket.accept();
    c.realtime.close();
    expect(socket.closedWith).toBe(1000);
    socket.onclose?.();
    expect(c.states).toEqual(["idle", "connecting", "open", "closed"]);
  });

  it("backs off when no ticket can be had, stops for good when none will be given", async () => {
    const c = fakeClient();
    c.realtime.connect();
    c.tickets[0]!.reject(new Error("network"));
    await c.settle();
    expect(c.realtime.state).toBe("reconnecting");
    await vi.waitFor(() => expect(c.ticket).toHaveBeenCalledTimes(2));
    c.tickets[1]!.resolve(null);
    await c.settle();
    expect(c.states).toEqual(["idle", "connecting", "reconnecting", "connecting", "closed"]);
    expect(FakeSocket.made).toHaveLength(0);
  });

  it("gives up a socket the network lost (drop) with code 4000, and tries again", async () => {
    const c = fakeClient();
    c.realtime.connect();
    c.tickets[0]!.resolve("t1");
    await c.settle();
    const first = c.socket();
    first.accept();
    c.realtime.drop();
    expect(first.closedWith).toBe(4000);
    expect(c.realtime.state).toBe("reconnecting");
    await vi.waitFor(() => expect(c.ticket).toHaveBeenCalledTimes(2));
  });
});
