/**
 * One measurement, the same for Agorusta and for the bare baseline: subscribers are WebSocket
 * clients that report each `new_message` they see; a message counts as delivered when the last
 * of them has it. Messages are told apart by their content.
 */
import WebSocket from "ws";

export interface Target {
  /** Opens one subscriber, ready to receive `new_message` frames. */
  subscribe(index: number): Promise<WebSocket>;
  /** POSTs a message as sender number `sender` and resolves when the response is in. */
  post(content: string, sender: number): Promise<void>;
}

export interface Result {
  /** Time from POST to delivery at every subscriber, one message at a time. */
  p50: number;
  p99: number;
  /** Time until the POST's response (which, for Agorusta, comes after the fan-out). */
  postP50: number;
  /** Messages fully delivered per second with `senders` POSTing at once. */
  perSecond: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Counts each `new_message` at every socket; `expect(content)` resolves once all of them have it. */
function deliveries(sockets: WebSocket[]) {
  const waiting = new Map<string, { left: number; done: () => void }>();
  for (const ws of sockets) {
    ws.on("message", (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type !== "new_message") return;
      const w = waiting.get(frame.message.content);
      if (w && --w.left === 0) {
        waiting.delete(frame.message.content);
        w.done();
      }
    });
  }
  return (content: string, started: number) =>
    new Promise<number>((resolve) => waiting.set(content, { left: sockets.length, done: () => resolve(performance.now() - started) }));
}

const closeAll = (sockets: WebSocket[]) =>
  Promise.all(sockets.map((ws) => new Promise((r) => (ws.readyState === WebSocket.CLOSED ? r(null) : (ws.once("close", r), ws.close())))));

export interface SoakResult {
  p50: number;
  p99: number;
  perSecond: number;
}

/**
 * Soak: `clients` sockets open at once, `senders` posting at the same time without waiting for
 * delivery (each waits only for its POST's answer), `messages` in all. Latency is send → the last
 * socket has it, for every message; messages/s is how fast all of them were fully delivered.
 */
export async function soak(target: Target, options: { clients: number; senders: number; messages: number; label: string }): Promise<SoakResult> {
  const sockets = await Promise.all(Array.from({ length: options.clients }, (_, i) => target.subscribe(i)));
  const expect = deliveries(sockets);
  for (let i = 0; i < 5; i++) {
    const content = `${options.label} warm ${i}`;
    const delivered = expect(content, performance.now());
    await target.post(content, 0);
    await delivered;
  }
  const latencies: Promise<number>[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.senders }, async (_, sender) => {
      while (next < options.messages) {
        const content = `${options.label} soak ${next++}`;
        latencies.push(expect(content, performance.now()));
        await target.post(content, sender);
      }
    }),
  );
  const all = (await Promise.all(latencies)).sort((a, b) => a - b);
  const perSecond = options.messages / ((performance.now() - started) / 1000);
  await closeAll(sockets);
  return { p50: percentile(all, 50), p99: percentile(all, 99), perSecond };
}

/**
 * Brings a target to its steady state before anything is measured: `messages` posts, one at a
 * time, to one subscriber. Five are enough for the baselines, but Agorusta's path runs through
 * far more code (the REST app, ElectroDB, the SDK, DynamoDB Local's own request handling), and
 * both JITs (Node's and DynamoDB Local's JVM) take a few hundred requests to compile it; a
 * deployed Lambda instance serves thousands of requests warm. Every target gets the same.
 */
export async function warmUp(target: Target, messages: number, label: string): Promise<void> {
  const socket = await target.subscribe(0);
  const expect = deliveries([socket]);
  for (let i = 0; i < messages; i++) {
    const content = `${label} warm-up ${i}`;
    const delivered = expect(content, performance.now());
    await target.post(content, 0);
    await delivered;
  }
  await closeAll([socket]);
}

export async function measure(
  target: Target,
  options: {
    subscribers: number; latencyMessages: number; throughputMessages: number; senders: number; label: string;
    /** Told when the one-at-a-time messages start and end (the benchmark times DynamoDB's requests in between). */
    onLatencyPhase?: (phase: "start" | "end") => void;
  },
): Promise<Result> {
  const sockets = await Promise.all(Array.from({ length: options.subscribers }, (_, i) => target.subscribe(i)));
  const expect = deliveries(sockets);
  /** Posts and resolves with [time to full delivery, time to the POST's response], in ms. */
  const send = async (content: string, sender = 0): Promise<[number, number]> => {
    const started = performance.now();
    const delivered = expect(content, started);
    const timeout = setTimeout(() => console.error(`${options.label}: "${content}" not delivered to all within 10 s`), 10_000);
    await target.post(content, sender);
    const answered = performance.now() - started;
    const all = await delivered;
    clearTimeout(timeout);
    return [all, answered];
  };

  // Warm-up: connections, JIT, the SDK's first signing and keep-alive sockets.
  for (let i = 0; i < 5; i++) await send(`${options.label} warm ${i}`);

  const latencies: number[] = [];
  const answers: number[] = [];
  options.onLatencyPhase?.("start");
  for (let i = 0; i < options.latencyMessages; i++) {
    const [all, answered] = await send(`${options.label} latency ${i}`);
    latencies.push(all);
    answers.push(answered);
  }
  options.onLatencyPhase?.("end");
  latencies.sort((a, b) => a - b);
  answers.sort((a, b) => a - b);

  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.senders }, async (_, sender) => {
      while (next < options.throughputMessages) await send(`${options.label} throughput ${next++}`, sender);
    }),
  );
  const perSecond = options.throughputMessages / ((performance.now() - started) / 1000);

  await closeAll(sockets);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), postP50: percentile(answers, 50), perSecond };
}
