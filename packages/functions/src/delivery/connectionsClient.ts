/**
 * The `@connections` client: the AWS SDK's `ApiGatewayManagementApiClient`, configured so that
 * each post does only what a post needs. Every recipient of every event is one call through it,
 * so its per-call work is most of what delivery costs (docs/performance.md, "WebSocket fan-out"):
 *
 * - the middleware stack is resolved once per command class (`cacheMiddleware`), which the SDK
 *   allows only for calls made without per-call options: so the post's time limit is the HTTP
 *   handler's `requestTimeout` (a plain timer) rather than an `AbortSignal.timeout` per call, which
 *   cost more than the rest of the SDK's middleware together;
 * - one event's frame is one `Uint8Array` posted to all its recipients: its SHA-256 (the signed
 *   `x-amz-content-sha256`, which SigV4 otherwise hashes the body again for on every post) is
 *   computed once per frame;
 * - the user-agent, logger and recursion-detection middlewares are left out: they add a header
 *   API Gateway does not read, log nothing with the SDK's default logger, and propagate an X-Ray
 *   trace this project does not record;
 * - a post that timed out is not tried again (it gave up, as before; a second try would double the
 *   time a hung connection holds the caller); any other retryable failure is, once, as the SDK does.
 *   That includes a connection reset or broken as the post went out (ECONNRESET, EPIPE), which the
 *   SDK also names `TimeoutError`: a kept-alive socket the far end closed just as it was reused
 *   fails at once, and the post is tried again on a fresh one rather than lost.
 */
import {
  ApiGatewayManagementApiClient,
  type ApiGatewayManagementApiClientConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { StandardRetryStrategy } from "@smithy/core/retry";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { BuildMiddleware, RetryErrorInfo, StandardRetryToken } from "@smithy/types";
import { createHash } from "node:crypto";
import { Agent as HttpAgent } from "node:http";
import { Agent } from "node:https";
import { Sha256 } from "./sha256.ts";

export interface ConnectionsClientOptions {
  endpoint: string;
  region?: string;
  credentials?: ApiGatewayManagementApiClientConfig["credentials"];
  /** One post gives up after this long. */
  timeoutMs: number;
  /** Sockets kept to `@connections`; the SDK's default (50 per host) when not given. */
  maxSockets?: number;
}

/** A connection that broke rather than a post that ran out of time (the SDK names both `TimeoutError`). */
const BROKEN_CONNECTION = new Set(["ECONNRESET", "EPIPE"]);

/** The SDK's standard retry (one retry, its backoff and retry quota), except after a timeout. */
class NoRetryAfterTimeout extends StandardRetryStrategy {
  override async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    const error = errorInfo.error as { name?: string; code?: string } | undefined;
    if (error?.name === "TimeoutError" && !BROKEN_CONNECTION.has(error.code ?? "")) throw errorInfo.error;
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}

/** Each frame's payload hash, once: every recipient of an event is posted the very same bytes. */
const payloadHashes = new WeakMap<Uint8Array, string>();
const samePayloadHash: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
  const request = args.request as { body?: unknown; headers?: Record<string, string> };
  if (request.headers && request.body instanceof Uint8Array) {
    let hash = payloadHashes.get(request.body);
    if (hash === undefined) payloadHashes.set(request.body, (hash = createHash("sha256").update(request.body).digest("hex")));
    request.headers["x-amz-content-sha256"] = hash;
  }
  return next(args);
};

export function createConnectionsClient(options: ConnectionsClientOptions): ApiGatewayManagementApiClient {
  const { maxSockets } = options;
  const client = new ApiGatewayManagementApiClient({
    endpoint: options.endpoint,
    retryStrategy: new NoRetryAfterTimeout(2),
    sha256: Sha256,
    cacheMiddleware: true,
    requestHandler: new NodeHttpHandler({
      requestTimeout: options.timeoutMs,
      throwOnRequestTimeout: true,
      ...(maxSockets ? { httpAgent: new HttpAgent({ keepAlive: true, maxSockets }), httpsAgent: new Agent({ keepAlive: true, maxSockets }) } : {}),
    }),
    ...(options.region ? { region: options.region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  for (const name of ["getUserAgentMiddleware", "loggerMiddleware", "recursionDetectionMiddleware"]) client.middlewareStack.remove(name);
  client.middlewareStack.add(samePayloadHash, { step: "build", name: "samePayloadHash" });
  return client;
}
