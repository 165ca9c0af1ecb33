/**
 * The Publisher over API Gateway's `@connections` management API: deployed it posts to the
 * WebSocket API, locally to the gateway's copy of the same API, through the same SDK client.
 */
import {
  DeleteConnectionCommand,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
  type ApiGatewayManagementApiClientConfig,
} from "@aws-sdk/client-apigatewaymanagementapi";
import type { Db, Frame, Publisher } from "@agorusta/core";
import { closeConnection, forgetGoneConnection, serverRecipients, userRecipients, type Recipient } from "@agorusta/core/realtime";
import { createChannelAudiences, readRoles } from "@agorusta/core/servers";
import { apiGatewayLimits } from "@agorusta/core/realtime";
import { toWire } from "@agorusta/core/permissions";
import { announcePresence } from "./announcePresence.ts";
import { createConnectionsClient } from "./connectionsClient.ts";
import { closeEndedSessions } from "./endSessions.ts";
import { splitAudience, type FanoutBatch, type FanoutEngine } from "./fanout.ts";

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
  /**
   * Where recipients past the first batch go (delivery/fanout.ts). Without it, this handler posts
   * to every recipient itself.
   */
  fanout?: FanoutEngine;
  /**
   * Sockets the client keeps to `@connections` (the SDK's default is 50 per host). Locally, where
   * every batch runs in this one process, room for the batches in flight at once.
   */
  maxSockets?: number;
}

/** The publisher, and the delivery of one batch the fan-out engine hands to a worker (the Fanout Lambda). */
export interface ApiGatewayPublisher extends Publisher {
  deliverBatch(batch: FanoutBatch): Promise<void>;
}

/** How an event's delivery went; logged when something other than success happened. */
interface Outcome {
  sent: number;
  gone: number;
  failed: Failure[];
  /** Users whose last connection a 410 closed: announced offline once the delivery is done. */
  wentOffline: string[];
}

/**
 * A post that failed: its error's name, and its Node code when it has one. The SDK names a reset or
 * broken connection (ECONNRESET, EPIPE) a `TimeoutError` as it does a post that ran out of time,
 * so the code and the time the post took are what tell them apart in the log.
 */
interface Failure {
  kind: string;
  ms: number;
}

function kindOf(e: unknown): string {
  const { name = "Error", code } = e as { name?: string; code?: string };
  return code && code !== name ? `${name} ${code}` : name;
}

/** "TimeoutError ECONNRESET ×2 (after ≤ 4 ms), InternalServerErrorException ×1 (after ≤ 9 ms)" */
function summarize(failures: readonly Failure[]): string {
  const byKind = new Map<string, { n: number; ms: number }>();
  for (const f of failures) {
    const seen = byKind.get(f.kind);
    byKind.set(f.kind, { n: (seen?.n ?? 0) + 1, ms: Math.max(seen?.ms ?? 0, f.ms) });
  }
  return [...byKind].map(([kind, { n, ms }]) => `${kind} ×${n} (after ≤ ${ms} ms)`).join(", ");
}

/** Whom a frame is for: a connection, and when its token expires (when known). */
type Addressee = Pick<Recipient, "connectionId" | "sessionExpiresAt">;

/** Each connection once; those whose token has expired by `nowMs` apart. */
function sortByExpiry(addressees: readonly Addressee[], nowMs: number): { live: string[]; expired: string[] } {
  const live = new Set<string>();
  const expired = new Set<string>();
  for (const a of addressees) {
    (a.sessionExpiresAt !== undefined && a.sessionExpiresAt * 1000 <= nowMs ? expired : live).add(a.connectionId);
  }
  return { live: [...live], expired: [...expired] };
}

/** `@connections` answered that the connection is closed (410 GoneException). */
function isGone(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === "GoneException" || err.$metadata?.httpStatusCode === 410;
}

export function createApiGatewayPublisher(db: Db, options: ApiGatewayPublisherOptions): ApiGatewayPublisher {
  const { endpoint, concurrency = 50, postTimeoutMs = 3000, fanout, maxSockets } = options;
  // Made at the first call: an endpoint known only once a server listens is then a fixed string,
  // which the SDK resolves once rather than on every post.
  let made: ApiGatewayManagementApiClient | undefined;
  const client = () =>
    (made ??= createConnectionsClient({
      endpoint: typeof endpoint === "string" ? endpoint : endpoint(),
      timeoutMs: postTimeoutMs,
      ...(options.region ? { region: options.region } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      ...(maxSockets ? { maxSockets } : {}),
    }));
  // Channels' subscriber lists, queried again only when they have changed, less who cannot see
  // the channel, filtered again only when permissions changed (core/servers/channelAudiences.ts).
  const audiences = createChannelAudiences(db);

  async function post(connectionId: string, data: Uint8Array, outcome: Outcome) {
    const started = performance.now();
    try {
      await client().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      outcome.sent++;
    } catch (e) {
      if (isGone(e)) {
        const { opening, wentOffline } = await forgetGoneConnection(db, connectionId);
        if (opening) return;
        outcome.gone++;
        audiences.forget(connectionId);
        // Its `$disconnect` will find nothing left to close, so the news is told from here.
        if (wentOffline) outcome.wentOffline.push(wentOffline);
      } else {
        outcome.failed.push({ kind: kindOf(e), ms: Math.round(performance.now() - started) });
      }
    }
  }

  /** Posts one frame to each of these connections once, `concurrency` at a time; then tells what went wrong, if anything. */
  async function postEach(what: string, type: string, connectionIds: readonly string[], data: Uint8Array) {
    const outcome: Outcome = { sent: 0, gone: 0, failed: [], wentOffline: [] };
    let next = 0;
    const worker = async () => {
      while (next < connectionIds.length) await post(connectionIds[next++]!, data, outcome);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, connectionIds.length) }, worker));
    for (const userId of outcome.wentOffline) await announcePresence(db, publisher, userId, false);
    if (outcome.failed.length > 0) console.warn(`realtime: ${what} ${type}: ${outcome.sent} sent, ${outcome.gone} gone, failed: ${summarize(outcome.failed)}`);
  }

  /**
   * Delivers one frame to everyone `lookup` names, each once: the first batch from here, the rest
   * handed to the fan-out engine, both at once. A recipient whose token has expired gets nothing
   * but its close, beside them (a token's end is exact here, whatever the expiry queue's delay).
   * Resolves when the first batch is posted and the rest handed over. Never rejects: a lookup or
   * post that fails is logged, and the message it carries is already stored for the history.
   */
  async function deliver(what: string, pending: Frame | Promise<Frame | null>, lookup: () => Promise<Addressee[]>) {
    // Who listens is asked at once, beside whatever is still storing the event.
    const audience = lookup();
    audience.catch(() => {}); // awaited below; a failed lookup is reported there, not as unhandled
    let frame: Frame | null;
    try {
      frame = await pending;
    } catch {
      return; // the event was never stored: its caller answers for that
    }
    if (!frame) return;
    try {
      const json = JSON.stringify(frame);
      const data = new TextEncoder().encode(json);
      if (data.byteLength > apiGatewayLimits.messageBytes) {
        console.warn(`realtime: ${what} ${frame.type} is ${data.byteLength} bytes, over API Gateway's limit; not sent`);
        return;
      }
      const { live: recipients, expired } = sortByExpiry(await audience, db.clock.now());
      const { first, rest } = fanout ? splitAudience(recipients) : { first: recipients, rest: [] };
      const handOver = async () => {
        if (!rest.length) return;
        try {
          await fanout!.dispatch(rest.map((connectionIds) => ({ frame: json, connectionIds })));
        } catch (e) {
          // The engine refused (throttled, misconfigured): deliver from here rather than lose the event.
          console.error(`realtime: ${what} ${frame.type}: fan-out refused, delivering ${rest.length} batch(es) here:`, e);
          await Promise.all(rest.map((ids) => postEach(what, frame.type, ids, data)));
        }
      };
      await Promise.all([postEach(what, frame.type, first, data), handOver(), closeExpired(expired)]);
    } catch (e) {
      console.error(`realtime: ${what} ${frame.type} not delivered:`, e);
    }
  }

  /** Connections whose token expired: out of the kept lists, told their session ended, closed. */
  async function closeExpired(connectionIds: readonly string[]) {
    if (!connectionIds.length) return;
    for (const id of connectionIds) audiences.forget(id);
    await closeEndedSessions(publisher, connectionIds);
  }

  const publisher: ApiGatewayPublisher = {
    deliverBatch: async (batch) => {
      const type = (JSON.parse(batch.frame) as Frame).type;
      await postEach(`batch of ${batch.connectionIds.length}`, type, batch.connectionIds, new TextEncoder().encode(batch.frame));
    },
    toChannel: (audience, event, opts) =>
      deliver(`${audience.wholeServer ? "server of channel" : "channel"} ${audience.channelId}`, event, async () => {
        const recipients = await audiences.recipientsOf(audience, opts?.batch);
        return opts?.exceptUserId ? recipients.filter((r) => r.userId !== opts.exceptUserId) : recipients;
      }),
    toServer: async (serverIds, event, opts) => {
      const servers = [serverIds].flat();
      const everyone = async () => {
        const max = opts?.maxRecipients;
        const share = max === undefined ? undefined : Math.ceil(max / Math.max(servers.length, 1));
        const [users, ...subscribed] = await Promise.all([
          userRecipients(db, opts?.alsoUserIds ?? []),
          ...servers.map((serverId) => serverRecipients(db, serverId, share)),
        ]);
        const listening = [...new Map(subscribed.flat().map((r) => [r.connectionId, r])).values()].slice(0, max);
        return [...listening, ...users];
      };
      // An event that carries its channel is about it: filtered by its overwrites unless told otherwise.
      const about = opts?.channel ?? ((event.type === "channel_created" || event.type === "channel_updated") ? { overwrites: event.channel.overwrites } : undefined);
      if (!about) return deliver(`server ${serverIds}`, event, everyone);
      // About one channel: only those who can see it; each group of equal permissions gets its own form.
      const serverId = servers[0]!;
      const [recipients, roles] = await Promise.all([everyone(), readRoles(db, serverId)]);
      const channel = { overwrites: about.overwrites };
      if (!about.as) return deliver(`server ${serverId}`, event, () => audiences.viewersAmong(serverId, roles, channel, recipients));
      const groups = new Map<bigint, Recipient[]>();
      for (const r of await audiences.permissionsAmong(serverId, roles, channel, recipients)) {
        groups.set(r.permissions, [...(groups.get(r.permissions) ?? []), r]);
      }
      await Promise.all([...groups].map(([permissions, group]) => deliver(`server ${serverId}`, about.as!(toWire(permissions)), async () => group)));
    },
    toUsers: (userIds, event) => deliver(`users ${userIds.join(",")}`, event, () => userRecipients(db, userIds)),
    toConnection: (connectionIds, frame) =>
      deliver(`connection ${connectionIds}`, frame, async () => [connectionIds].flat().map((connectionId) => ({ connectionId }))),
    disconnect: async (connectionIds) => {
      await Promise.all(
        [...new Set(connectionIds)].map(async (connectionId) => {
          try {
            await client().send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
          } catch (e) {
            if (isGone(e)) {
              // Already closed without its `$disconnect` having run: forget it here.
              // Best effort (the socket is gone either way; its items expire by TTL), but never silent.
              const forgotten = await closeConnection(db, connectionId).catch((cause: unknown) => {
                console.error(`realtime: forgetting closed connection ${connectionId} failed:`, cause);
                return { wentOffline: undefined };
              });
              if (forgotten.wentOffline) {
                await announcePresence(db, publisher, forgotten.wentOffline, false).catch((cause: unknown) => console.error("realtime: announcing offline failed:", cause));
              }
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
