/**
 * The Fanout Lambda's grant (lambda/permissions.ts) against what a 410 makes it do: a batch
 * (`deliverBatch`, as lambda/fanout.ts runs it) finds a connection gone and closes it, its
 * subscriptions, its count and its audiences' new tokens, through a client that refuses whatever
 * that Lambda's role is not granted, as IAM would deployed. The connection is opened and
 * subscribed as the WebSocket Lambda does, under its own grant, on the same table.
 */
import { beforeAll, afterAll, describe, expect, it, inject } from "vitest";
import { randomUUID } from "node:crypto";
import { createDb, createDynamoClients, localDynamoConfig, type Db, type ServerEvent } from "@agorusta/core";
import { openConnection, subscribeServer } from "@agorusta/core/realtime";
import { subscribe } from "@agorusta/core/servers";
import { createChannel, createServer, getServerDetail } from "@agorusta/core/servers";
import { freshDeps } from "@agorusta/testing";
import { fakeConnectionsApi } from "@agorusta/testing/connectionsApi";
import { createApiGatewayPublisher, type ApiGatewayPublisher } from "../src/delivery/publisher.ts";
import { dynamoActions, type LambdaName } from "../src/lambda/permissions.ts";

const api = fakeConnectionsApi();
/** The Fanout Lambda's view of the table, and of `@connections`. */
let fanout: { db: Db; publisher: ApiGatewayPublisher };
/** The same table as the WebSocket Lambda sees it (connections, subscriptions), and unrestricted for the test's own set-up. */
let ws: Db;
let setup: Db;

beforeAll(async () => {
  const [deps, endpoint] = await Promise.all([freshDeps({ lambda: "fanout" }), api.listen()]);
  const tableName = deps.db.entities.connections.getTableName()!;
  const over = (lambda?: LambdaName) =>
    createDb(createDynamoClients(localDynamoConfig(inject("dynamoEndpoint")), lambda ? { allowedActions: dynamoActions[lambda] } : {}).document, tableName);
  [ws, setup] = [over("ws"), over()];
  // As lambda/fanout.ts builds it (config.ts `loadPublisher`): no fan-out engine, every post its own;
  // region and credentials, which the Lambda takes from its role, given here.
  const publisher = createApiGatewayPublisher(deps.db, { endpoint, region: "local", credentials: { accessKeyId: "k", secretAccessKey: "s" } });
  fanout = { db: deps.db, publisher };
});
afterAll(() => api.close());

/** A user with a server of their own and a second channel in it, made as the REST Lambda would. */
async function world() {
  const user = { userId: `u-${randomUUID()}`, email: `${randomUUID()}@example.com`, username: `fan${randomUUID().slice(0, 8)}`, passwordHash: "-", createdAt: new Date().toISOString() };
  await setup.entities.users.put(user).go();
  const server = await createServer(setup, user, `fanout ${randomUUID()}`);
  const second = await createChannel(setup, server.id, user.userId, "second", null);
  const { channels } = await getServerDetail(setup, server.id, user.userId);
  return { userId: user.userId, serverId: server.id, channelIds: [channels[0]!.id, second.id] };
}

/** A connection opened at `$connect` and subscribed by `subscribe` frames, through the WebSocket Lambda's grant. */
async function connection(userId: string, subscriptions: { channelIds?: string[]; serverId?: string }) {
  const connectionId = `gone${randomUUID().slice(0, 8)}=`;
  await openConnection(ws, { connectionId, userId, connectedAt: new Date(), sessionId: "s", sessionExpiresAt: Math.floor(Date.now() / 1000) + 3600 });
  for (const channelId of subscriptions.channelIds ?? []) await subscribe(ws, { connectionId, channelId });
  if (subscriptions.serverId) await subscribeServer(ws, { connectionId, serverId: subscriptions.serverId });
  return connectionId;
}

const tokenOf = async (channelId: string) => (await setup.entities.audiences.get({ channelId }).go({ consistent: true })).data?.token;
const event: ServerEvent = { type: "channel_created", channel: { id: "x", serverId: "s", name: "fan-out", createdAt: "", lastMessageId: null, type: "text", parentId: null, position: 0, topic: null, slowmodeSeconds: 0, overwrites: [] } };

/** Delivers a batch to this connection, which answers 410; then what is left of it. */
async function deliverToGone(connectionId: string, partitions: string[]) {
  const before = await Promise.all(partitions.map(tokenOf));
  api.behaviour.set(connectionId, "gone");
  await expect(fanout.publisher.deliverBatch({ frame: JSON.stringify(event), connectionIds: [connectionId] })).resolves.toBeUndefined();
  expect(api.posts.map((p) => p.connectionId)).toContain(connectionId);
  const [subscriptions, conn, after] = await Promise.all([
    setup.entities.subscriptions.query.byConnection({ connectionId }).go({ pages: "all" }),
    setup.entities.connections.get({ connectionId }).go({ consistent: true }),
    Promise.all(partitions.map(tokenOf)),
  ]);
  return { before, after, subscriptions: subscriptions.data, connection: conn.data };
}

describe("the Fanout Lambda closing a connection a post finds gone, under its own grant", () => {
  it("one subscription: deletes it and the connection, and writes its channel's new token (a PutItem)", async () => {
    const w = await world();
    const channelId = w.channelIds[0]!;
    const gone = await connection(w.userId, { channelIds: [channelId] });

    const { before, after, subscriptions, connection: left } = await deliverToGone(gone, [channelId]);
    expect(subscriptions).toEqual([]);
    expect(left).toBeNull();
    expect(before[0]).toEqual(expect.any(String)); // the subscribe wrote one
    expect(after[0]).toEqual(expect.any(String));
    expect(after[0]).not.toBe(before[0]);
  });

  it("several subscriptions (two channels and the whole server): deletes them all and writes each partition's new token (a BatchWriteItem)", async () => {
    const w = await world();
    const gone = await connection(w.userId, { channelIds: w.channelIds, serverId: w.serverId });
    const partitions = [...w.channelIds, w.serverId];

    const { before, after, subscriptions, connection: left } = await deliverToGone(gone, partitions);
    expect(subscriptions).toEqual([]);
    expect(left).toBeNull();
    for (const [i, token] of after.entries()) {
      expect(before[i]).toEqual(expect.any(String));
      expect(token).toEqual(expect.any(String));
      expect(token).not.toBe(before[i]);
    }
  });
});
