/**
 * The Publisher over API Gateway's `@connections` management API: deployed it posts to the
 * WebSocket API, locally to the gateway's copy of the same API, through the same SDK client.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClientConfig,
} from "@aws-sdk/client-apigatewaymanagementapi";
import type { Db, Frame, Publisher } from "@agorusta/core";
import { channelRecipients, closeConnection, serverRecipients, userRecipients, type Recipient } from "@agorusta/core/realtime";
import { apiGatewayLimits } from "@agorusta/core/realtime";
import { announcePresence } from "./announcePresence.ts";

export interface ApiGatewayPublisherOptions {
  /**
   * The WebSocket API's management endpoint (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`);
   * a function when it is known only once a server listens (the local runtime on port 0).
   */
  endpoint: string | (() => string);
  region?: string;
  credentials?: ApiGatewayManagementApiClientConfig["credentials"];
  /** Posts in flight at once for one event; the SDK's HTTP agent keeps 50 sockets per host. */
  concurrency?: number;
  /** One post gives up after this long, so a stuck request cannot hold the caller. */
  postTimeoutMs?: number;
}

/** How an event's delivery went; logged when something other than success happened. */
interface Outcome {
  sent: number;
  gone: number;
  failed: Map<string, number>;
  /** Users whose last connection a 410 closed: announced offline once the delivery is done. */
  wentOffline: string[];
}

export function createApiGatewayPublisher(db: Db, options: ApiGatewayPublisherOptions): Publisher {
  const { endpoint, concurrency = 50, postTimeoutMs = 3000 } = options;
  const client = new ApiGatewayManagementApiClient({
    endpoint: typeof endpoint === "string" ? endpoint : async () => ({ url: new URL(endpoint()) }),
    maxAttempts: 2,
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });

  async function post(connectionId: string, data: Uint8Array, outcome: Outcome) {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }), {
        abortSignal: AbortSignal.timeout(postTimeoutMs),
      });
      outcome.sent++;
    } catch (e) {
      const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (err.name === "GoneException" || err.$metadata?.httpStatusCode === 410) {
        outcome.gone++;
        const { wentOffline } = await closeConnection(db, connectionId);
        // Its `$disconnect` will find nothing left to close, so the news is told from here.
        if (wentOffline) outcome.wentOffline.push(wentOffline);
      } else {
        const kind = err.name ?? "Error";
        outcome.failed.set(kind, (outcome.failed.get(kind) ?? 0) + 1);
      }
    }
  }

  /**
   * Posts one frame to each connection once, `concurrency` at a time. Never rejects: a lookup or
   * post that fails is logged, and the message it carries is already stored for the history.
   */
  async function deliver(what: string, frame: Frame, lookup: () => Promise<string[]>) {
    try {
      const data = new TextEncoder().encode(JSON.stringify(frame));
      if (data.byteLength > apiGatewayLimits.messageBytes) {
        console.warn(`realtime: ${what} ${frame.type} is ${data.byteLength} bytes, over API Gateway's limit; not sent`);
        return;
      }
      const recipients = [...new Set(await lookup())];
      const outcome: Outcome = { sent: 0, gone: 0, failed: new Map(), wentOffline: [] };
      let next = 0;
      const worker = async () => {
        while (next < recipients.length) await post(recipients[next++]!, data, outcome);
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, recipients.length) }, worker));
      for (const userId of outcome.wentOffline) await announcePresence(db, publisher, userId, false);
      if (outcome.failed.size > 0) {
        const kinds = [...outcome.failed].map(([k, n]) => `${k} ×${n}`).join(", ");
        console.warn(`realtime: ${what} ${frame.type}: ${outcome.sent} sent, ${outcome.gone} gone, failed: ${kinds}`);
      }
    } catch (e) {
      console.error(`realtime: ${what} ${frame.type} not delivered:`, e);
    }
  }

  const ids = (recipients: Recipient[]) => recipients.map((r) => r.connectionId);
  const publisher: Publisher = {
    toChannel: (channelId, event, opts) =>
      deliver(`channel ${channelId}`, event, async () => {
        const recipients = await channelRecipients(db, channelId);
        return ids(opts?.exceptUserId ? recipients.filter((r) => r.userId !== opts.exceptUserId) : recipients);
      }),
    toServer: (serverIds, event, opts) =>
      deliver(`server ${serverIds}`, event, async () => {
        const servers = [serverIds].flat();
        const max = opts?.maxRecipients;
        const share = max === undefined ? undefined : Math.ceil(max / Math.max(servers.length, 1));
        const [users, ...subscribed] = await Promise.all([
          userRecipients(db, opts?.alsoUserIds ?? []),
          ...servers.map((serverId) => serverRecipients(db, serverId, share)),
        ]);
        const listening = [...new Set(ids(subscribed.flat()))].slice(0, max);
        return [...listening, ...ids(users)];
      }),
    toUsers: (userIds, event) => deliver(`users ${userIds.join(",")}`, event, async () => ids(await userRecipients(db, userIds))),
    toConnection: (connectionId, frame) => deliver(`connection ${connectionId}`, frame, async () => [connectionId]),
    disconnect: async (connectionIds) => {
      await Promise.all(
        [...new Set(connectionIds)].map(async (connectionId) => {
          try {
            await client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }), { abortSignal: AbortSignal.timeout(postTimeoutMs) });
          } catch (e) {
            const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
            if (err.name === "GoneException" || err.$metadata?.httpStatusCode === 410) {
              // Already closed without its `$disconnect` having run: forget it here.
              const { wentOffline } = await closeConnection(db, connectionId).catch(() => ({ wentOffline: undefined }));
              if (wentOffline) await announcePresence(db, publisher, wentOffline, false).catch(() => {});
            } else {
              console.error(`realtime: closing connection ${connectionId} failed:`, e);
            }
          }
        }),
      );
    },
  };
  return publisher;
}
