/**
 * The connection-expiry queue's consumer (infra/realtime.ts): each message names a WebSocket to
 * close at its token's expiry (delivery/connectionExpiry.ts). Failures are reported per message,
 * so SQS retries only those.
 */
import { loadDeps } from "../config.ts";
import { closeIfExpired, expiryRequest } from "../delivery/connectionExpiry.ts";
import { sqsJobs } from "./sqsJobs.ts";

// Built during the Lambda's init phase, once per instance.
const deps = loadDeps("expiry");

export const handler = sqsJobs("expiry", expiryRequest, (r) => `connection ${r.connectionId}`, (request) => closeIfExpired(deps, deps.expiries, request));
