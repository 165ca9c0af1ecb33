/**
 * What one channel message's Web Push costs where it runs deployed: the push queue's Lambda,
 * never the send (bench:ws runs the send without it, as it does without the search indexer).
 * `deliverPush` — the very function that Lambda runs — on the benchmark channel's own messages,
 * one at a time, with a DynamoDB client of its own: CPU (user + system) and DynamoDB requests per
 * message. In the benchmark's server nobody asked to be told of every message and nobody is
 * mentioned, so no push goes out: this is what every message costs at the least.
 */
import { createDb, createDynamoClients, localDynamoConfig } from "@agorusta/core";
import { deliverPush } from "@agorusta/functions/push/deliver";
import { newVapidPrivateKey, vapidKeysFrom } from "@agorusta/functions/push/setup";
import { createPushSender } from "@agorusta/functions/push/transport";

export interface PushPlannerCost {
  /** ms of CPU per message. */
  cpu: number;
  /** DynamoDB requests per message, by operation. */
  requests: Record<string, number>;
  messages: number;
}

export async function pushPlannerCost(
  at: { dynamoEndpoint: string; tableName: string; serverId: string; channelId: string },
  messageIds: string[],
): Promise<PushPlannerCost> {
  const dynamo = createDynamoClients(localDynamoConfig(at.dynamoEndpoint));
  const deps = {
    db: createDb(dynamo.document, at.tableName),
    sender: createPushSender({ vapid: vapidKeysFrom(newVapidPrivateKey(), "mailto:bench@localhost"), endpoints: "local" }),
  };
  const plan = (messageId: string) => deliverPush(deps, { kind: "channel", serverId: at.serverId, channelId: at.channelId, messageId });
  // Warm up on the first half (connections, code compiled), measure the second.
  const half = messageIds.length >> 1;
  for (const id of messageIds.slice(0, half)) await plan(id);
  for (const k of Object.keys(dynamo.counts)) delete dynamo.counts[k];
  const measured = messageIds.slice(half);
  const before = process.cpuUsage();
  for (const id of measured) await plan(id);
  const used = process.cpuUsage(before);
  const requests = Object.fromEntries(Object.entries(dynamo.counts).map(([op, n]) => [op, n / measured.length]));
  return { cpu: (used.user + used.system) / 1000 / measured.length, requests, messages: measured.length };
}
