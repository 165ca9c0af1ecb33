/**
 * Fan-out past one handler: a channel with 2,500 open connections (the handler's first batch and
 * five batches of 500) behind a `@connections` stand-in that takes 20 ms to answer each post. The
 * handler posts the first batch and hands the rest to the engine in batches delivered in parallel
 * (locally: in this process, as the Fanout Lambda would deployed). What that buys in time is
 * derived in docs/performance.md ("Fan-out"); this checks the counts and the shape, not the clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerEvent } from "@agorusta/core";
import { freshDeps } from "@agorusta/testing";
import { fakeConnectionsApi } from "@agorusta/testing/connectionsApi";
import { createApiGatewayPublisher, type ApiGatewayPublisher } from "../src/delivery/publisher.ts";
import { fanoutPlan, inProcessFanout, splitAudience } from "../src/delivery/fanout.ts";

const AUDIENCE = 2_500;
const POST_MS = 20;
const api = fakeConnectionsApi();
let deps: Awaited<ReturnType<typeof freshDeps>>;
let endpoint: string;
const channelId = "01JFANOUT0000000000000CHAN";

beforeAll(async () => {
  [deps, endpoint] = await Promise.all([freshDeps(), api.listen()]);
  // The channel itself: an audience is of a channel that exists (whose overwrites it is filtered by).
  await deps.db.entities.channels.put({ serverId: "01JFANOUT00000000000SERVER", channelId, name: "fan-out", createdAt: new Date().toISOString() }).go();
  // The connections subscribed to one channel, as that many `subscribe` frames would leave them.
  const subscriptions = Array.from({ length: AUDIENCE }, (_, i) => ({
    channelId,
    connectionId: `conn${String(i).padStart(5, "0")}=`,
    serverId: "01JFANOUT00000000000SERVER",
    userId: `user${i % 500}`,
  }));
  for (let i = 0; i < subscriptions.length; i += 1000) {
    const { unprocessed } = await deps.db.entities.subscriptions.put(subscriptions.slice(i, i + 1000)).go({ concurrency: 4 });
    expect(unprocessed).toEqual([]);
  }
}, 120_000);
afterAll(() => api.close());

function publisherWithEngine() {
  let publisher: ApiGatewayPublisher | undefined;
  const engine = inProcessFanout((batch) => publisher!.deliverBatch(batch));
  publisher = createApiGatewayPublisher(deps.db, {
    endpoint,
    region: "local",
    credentials: { accessKeyId: "k", secretAccessKey: "s" },
    fanout: engine,
    maxSockets: 50 * Math.ceil(AUDIENCE / fanoutPlan.batchSize),
    // Only a hung endpoint should time a post out; on a loaded machine 1,000 posts in flight queue for the CPU.
    postTimeoutMs: 60_000,
  });
  return { publisher, engine };
}
const event: ServerEvent = { type: "channel_created", channel: { id: "x", serverId: "s", name: "fan-out", createdAt: "", lastMessageId: null, type: "text", parentId: null, position: 0, topic: null, slowmodeSeconds: 0, overwrites: [] } };

/** Delivers `event` to the channel's connections; how many were posted when `toChannel` answered, and the time to the last post. */
async function deliverToAll(delay: number) {
  api.reset({ delayMs: delay });
  const { publisher, engine } = publisherWithEngine();
  const started = performance.now();
  await publisher.toChannel({ serverId: "01JFANOUT00000000000SERVER", channelId }, event);
  const postedWhenAnswered = api.posts.length;
  await engine.idle();
  return { postedWhenAnswered, ms: performance.now() - started, maxInFlight: api.maxInFlight };
}

describe(`fan-out to ${AUDIENCE} connections`, () => {
  it("cuts an audience into the handler's first batch and batches of at most 500, each connection in exactly one", () => {
    const ids = Array.from({ length: 1234 }, (_, i) => `c${i}`);
    const { first, rest } = splitAudience(ids);
    expect(first).toHaveLength(fanoutPlan.firstBatch);
    expect(rest.map((b) => b.length)).toEqual([500, 500, 134]);
    expect([...first, ...rest.flat()]).toEqual(ids);
    expect(splitAudience(ids.slice(0, 40))).toEqual({ first: ids.slice(0, 40), rest: [] });
  });

  it("answers after the first batch, delivers every connection exactly once, in parallel batches", async () => {
    const slow = await deliverToAll(POST_MS);

    expect(api.posts).toHaveLength(AUDIENCE);
    expect(new Set(api.posts.map((p) => p.connectionId)).size).toBe(AUDIENCE);
    // The caller (the POST) waited for its own batch and no more.
    expect(slow.postedWhenAnswered).toBeGreaterThanOrEqual(fanoutPlan.firstBatch);
    expect(slow.postedWhenAnswered).toBeLessThan(AUDIENCE);
    // More posts in flight than one handler's 50: the batches ran side by side.
    expect(slow.maxInFlight).toBeGreaterThan(50);
  }, 120_000);
});
