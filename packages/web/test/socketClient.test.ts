/**
 * The web app's WebSocket client (src/lib/socketClient.ts), the very class the pages use, under
 * Node's own WebSocket against the real local gateway: subscriptions, DM events, reconnecting
 * with resubscription after the server drops every socket, and giving up on a refused token.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Frame, ServerEvent } from "@agorusta/core/realtime";
import { call } from "../src/lib/api.ts";
import { Realtime, type ConnectionState } from "../src/lib/socketClient.ts";
import { apiUser, startApp, uniqueName, type App } from "./browser.ts";

let app: App;
const clients: Realtime[] = [];

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await app?.stop();
});

const wsUrl = () => `${app.url.replace(/^http/, "ws")}/ws`;

/** A ticket for this token, as the app asks for one before each handshake; null once the token is refused. */
const ticketOf = (token: string) => async () => {
  const res = await fetch(`${app.url}/api/auth/ws-ticket`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`ws-ticket: ${res.status}`);
  return ((await res.json()) as { ticket: string }).ticket;
};

/** A client that records what it sees. Backoff is short so the tests do not wait seconds. */
function client(token: string, extra: Partial<ConstructorParameters<typeof Realtime>[0]> = {}) {
  const realtime = new Realtime({ url: wsUrl(), ticket: ticketOf(token), backoff: { min: 50, max: 400 }, ...extra });
  clients.push(realtime);
  const events: ServerEvent[] = [];
  const frames: Frame[] = [];
  const states: ConnectionState[] = [];
  const opens: boolean[] = [];
  realtime.onEvent((e) => events.push(e));
  realtime.onFrame((f) => frames.push(f));
  realtime.onState((s) => states.push(s));
  realtime.onOpen(({ reconnected }) => opens.push(reconnected));
  return { realtime, events, frames, states, opens };
}

const until = (check: () => unknown, timeout = 5000) => vi.waitFor(() => expect(check()).toBeTruthy(), { timeout, interval: 20 });

async function serverWithChannel() {
  const owner = await apiUser(app.url, uniqueName("owner"));
  const server = await call(owner.api.servers.$post({ json: { name: `Realtime ${uniqueName("")}` } }));
  const detail = await call(owner.api.servers[":id"].$get({ param: { id: server.id } }));
  const channelId = detail.channels[0]!.id;
  const post = (content: string) =>
    call(owner.api.servers[":id"].channels[":cid"].messages.$post({ param: { id: server.id, cid: channelId }, json: { content } }));
  return { owner, serverId: server.id, channelId, post };
}

/**
 * A WebSocket class whose first connection's pings go nowhere: like a laptop that slept, the TCP
 * link is silently dead. `opened` counts the connections made.
 */
function deadAfterFirstPing() {
  return class Dead extends WebSocket {
    static opened = 0;
    readonly n = ++Dead.opened;
    override send(data: string) {
      if (this.n === 1 && data.includes("ping")) return;
      super.send(data);
    }
  };
}

/** A WebSocket class whose first subscribe frame goes nowhere, as if it or its answer were lost. `subscribes` counts those sent. */
function firstSubscribeLost() {
  return class Lossy extends WebSocket {
    static subscribes = 0;
    override send(data: string) {
      if (data.includes('"subscribe"') && ++Lossy.subscribes === 1) return;
      super.send(data);
    }
  };
}

const newMessages = (events: ServerEvent[]) =>
  events.flatMap((e) => (e.type === "new_message" ? [e.message.content] : []));

describe("Realtime", () => {
  it("delivers a subscribed channel's messages, and DMs without a subscription", async () => {
    const { owner, channelId, post } = await serverWithChannel();
    const c = client(owner.token);
    c.realtime.connect();
    c.realtime.subscribe(channelId);
    await until(() => c.frames.some((f) => f.type === "subscribed" && "channelId" in f && f.channelId === channelId));
    expect(c.states).toEqual(["idle", "connecting", "open"]);

    await post("hello live");
    await until(() => newMessages(c.events).includes("hello live"));

    const friend = await apiUser(app.url, uniqueName("friend"));
    const dm = await call(friend.api.dms.$post({ json: { userId: owner.user.id } }));
    await call(friend.api.dms[":id"].messages.$post({ param: { id: dm.id }, json: { content: "psst" } }));
    await until(() => c.events.some((e) => e.type === "new_dm_message" && e.message.content === "psst"));
  });

  it("keeps a channel while any view wants it, and unsubscribes when the last lets go", async () => {
    const { owner, channelId, post } = await serverWithChannel();
    const c = client(owner.token);
    c.realtime.connect();
    const first = c.realtime.subscribe(channelId);
    const second = c.realtime.subscribe(channelId);
    await until(() => c.frames.some((f) => f.type === "subscribed"));
    expect(c.frames.filter((f) => f.type === "subscribed")).toHaveLength(1);

    first();
    first();
    await post("still wanted");
    await until(() => newMessages(c.events).includes("still wanted"));

    second();
    await until(() => c.frames.some((f) => f.type === "unsubscribed" && "channelId" in f && f.channelId === channelId));
    await post("nobody listens");
    // A DM sent after the post is the marker: when it arrives, a stray copy of the post would have.
    const friend = await apiUser(app.url, uniqueName("friend"));
    const dm = await call(friend.api.dms.$post({ json: { userId: owner.user.id } }));
    await call(friend.api.dms[":id"].messages.$post({ param: { id: dm.id }, json: { content: "marker" } }));
    await until(() => c.events.some((e) => e.type === "new_dm_message" && e.message.content === "marker"));
    expect(newMessages(c.events)).not.toContain("nobody listens");
  });

  it("reconnects when the server drops it, subscribes again and says it reconnected", async () => {
    const { owner, channelId, post } = await serverWithChannel();
    // Each attempt starts by asking for a ticket; with the server down, that request is what fails.
    let attempts = 0;
    const tickets = ticketOf(owner.token);
    const c = client(owner.token, { ticket: () => (attempts++, tickets()) });
    c.realtime.connect();
    c.realtime.subscribe(channelId);
    await until(() => c.frames.some((f) => f.type === "subscribed"));

    await app.stop();
    await until(() => c.realtime.state === "reconnecting");
    // A few failed attempts while the server is down: counted, not waited for.
    const before = attempts;
    await until(() => attempts >= before + 2);
    await app.start();

    await until(() => c.realtime.state === "open", 10_000);
    expect(c.opens).toEqual([false, true]);
    await until(() => c.frames.filter((f) => f.type === "subscribed").length === 2);
    await post("after the drop");
    await until(() => newMessages(c.events).includes("after the drop"));
    expect(c.states.slice(0, 4)).toEqual(["idle", "connecting", "open", "reconnecting"]);
  });

  it("subscribes to a whole server, again after a drop, and gets every channel's activity and its cursor-carrying messages", async () => {
    const { owner, serverId, channelId, post } = await serverWithChannel();
    const other = await call(owner.api.servers[":id"].channels.$post({ param: { id: serverId }, json: { name: "other" } }));
    const c = client(owner.token);
    c.realtime.connect();
    const release = c.realtime.subscribeServer(serverId);
    c.realtime.subscribe(channelId);
    await until(() => c.frames.some((f) => f.type === "subscribed" && "serverId" in f && f.serverId === serverId));

    await call(owner.api.servers[":id"].channels[":cid"].messages.$post({ param: { id: serverId, cid: other.id }, json: { content: "elsewhere" } }));
    await until(() => c.events.some((e) => e.type === "channel_activity" && e.channelId === other.id));
    await post("here");
    await until(() => newMessages(c.events).includes("here"));
    const event = c.events.find((e) => e.type === "new_message" && e.message.content === "here");
    expect(event?.type === "new_message" && typeof event.cursor).toBe("string");

    await app.stop();
    await until(() => c.realtime.state === "reconnecting");
    await app.start();
    await until(() => c.frames.filter((f) => f.type === "subscribed" && "serverId" in f).length === 2, 10_000);

    release();
    await until(() => c.frames.some((f) => f.type === "unsubscribed" && "serverId" in f && f.serverId === serverId));
  });

  it("drops the socket at once when told the network is gone, and reconnects", async () => {
    const { owner } = await serverWithChannel();
    const c = client(owner.token);
    c.realtime.connect();
    await until(() => c.realtime.state === "open");
    c.realtime.drop();
    expect(c.realtime.state).toBe("reconnecting");
    await until(() => c.opens.length === 2);
    expect(c.opens).toEqual([false, true]);
  });

  it("puts a one-time ticket in the URL, never the token", async () => {
    const { owner } = await serverWithChannel();
    const urls: string[] = [];
    class Recording extends WebSocket {
      constructor(url: string | URL) {
        super(url);
        urls.push(String(url));
      }
    }
    const c = client(owner.token, { WebSocket: Recording });
    c.realtime.connect();
    await until(() => c.realtime.state === "open");
    expect(urls).toHaveLength(1);
    expect(new URL(urls[0]!).searchParams.get("ticket")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(urls[0]).not.toContain(owner.token);
  });

  it("stops for good once the session has ended: the server closes the socket, and no ticket is given", async () => {
    const { owner } = await serverWithChannel();
    const c = client(owner.token);
    c.realtime.connect();
    await until(() => c.realtime.state === "open");
    await call(owner.api.auth.logout.$post());
    await until(() => c.realtime.state === "closed");
    expect(c.opens).toEqual([false]);
    expect(c.states).toEqual(["idle", "connecting", "open", "reconnecting", "closed"]);
  });

  it("keeps retrying while no ticket can be had for another reason (the API is down)", async () => {
    const tickets = vi.fn(async (): Promise<string | null> => {
      throw new Error("network");
    });
    const c = client("unused", { ticket: tickets });
    c.realtime.connect();
    await until(() => tickets.mock.calls.length >= 3);
    expect(c.realtime.state).toBe("reconnecting");
    c.realtime.close();
  });

  it("says typing only in a channel it is subscribed to, to the channel's other subscribers", async () => {
    const { owner, serverId, channelId } = await serverWithChannel();
    const { code } = await call(owner.api.servers[":id"].invites.$post({ param: { id: serverId }, json: {} }));
    const member = await apiUser(app.url, uniqueName("member"));
    await call(member.api.invites[":code"].join.$post({ param: { code } }));
    const [typist, reader] = [client(member.token), client(owner.token)];
    for (const c of [typist, reader]) c.realtime.connect();
    typist.realtime.typing(channelId); // not subscribed yet: nothing is sent
    for (const c of [typist, reader]) c.realtime.subscribe(channelId);
    await until(() => [typist, reader].every((c) => c.frames.some((f) => f.type === "subscribed")));
    typist.realtime.typing(channelId);
    await until(() => reader.events.some((e) => e.type === "typing" && e.user.id === member.user.id));
    // The reader's own typing, sent after, is the marker: when it reaches the typist, it is the only
    // typing the typist has had (none of their own), and the reader still has just the one.
    reader.realtime.typing(channelId);
    await until(() => typist.events.some((e) => e.type === "typing"));
    expect(reader.events.filter((e) => e.type === "typing")).toHaveLength(1);
    expect(typist.events.flatMap((e) => (e.type === "typing" ? [e.user.id] : []))).toEqual([owner.user.id]);
    expect(typist.frames.filter((f) => f.type === "error")).toEqual([]);
  });

  it("check() pings at once when the last ping is old enough, and not again within checkAfterMs", async () => {
    const { owner } = await serverWithChannel();
    const pings: number[] = [];
    class Counting extends WebSocket {
      override send(data: string) {
        if (data.includes("ping")) pings.push(Date.now());
        super.send(data);
      }
    }
    // Ten seconds: far more than a busy machine may take between the open and the first check.
    const c = client(owner.token, { WebSocket: Counting, checkAfterMs: 10_000 });
    c.realtime.connect();
    await until(() => c.realtime.state === "open");
    c.realtime.check(); // the link just opened: no need
    expect(pings).toHaveLength(0);
    // The clock moves past checkAfterMs (only Date: the socket's timers stay real).
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 10_020);
      c.realtime.check();
      c.realtime.check();
      expect(pings).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
    await until(() => c.frames.some((f) => f.type === "pong"));
  });

  it("check() replaces a dead link within the pong timeout, long before the next scheduled ping", async () => {
    const { owner } = await serverWithChannel();
    const c = client(owner.token, { WebSocket: deadAfterFirstPing(), checkAfterMs: 0, pongTimeoutMs: 150 });
    c.realtime.connect();
    await until(() => c.realtime.state === "open");
    c.realtime.check();
    await until(() => c.opens.length === 2);
    expect(c.opens).toEqual([false, true]);
  });

  it("asks again for a subscription left unanswered, on the same socket, and then gets its events", async () => {
    const { owner, channelId, post } = await serverWithChannel();
    const WebSocket = firstSubscribeLost();
    const c = client(owner.token, { WebSocket, answerTimeoutMs: 200 });
    c.realtime.connect();
    c.realtime.subscribe(channelId);
    await c.realtime.whenHeld(channelId);
    expect(WebSocket.subscribes).toBe(2);
    expect(c.opens).toEqual([false]);
    await post("after the second ask");
    await until(() => newMessages(c.events).includes("after the second ask"));
    // Answered: not asked a third time.
    await new Promise((r) => setTimeout(r, 400));
    expect(WebSocket.subscribes).toBe(2);
  });

  it("drops a link that stops answering pings, and reconnects", async () => {
    const { owner } = await serverWithChannel();
    const WebSocket = deadAfterFirstPing();
    const c = client(owner.token, { WebSocket, pingIntervalMs: 100, pongTimeoutMs: 150 });
    c.realtime.connect();
    await until(() => c.opens.length === 2);
    expect(c.opens).toEqual([false, true]);
    expect(c.states).toContain("reconnecting");
    expect(WebSocket.opened).toBe(2);
  });
});
