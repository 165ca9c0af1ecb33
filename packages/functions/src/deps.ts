import { createDb, createTokens, silentPublisher, type Db, type DynamoClients, type Publisher, type Tokens } from "@agorusta/core";
import { bruteForcePolicies, usageLimits, type BruteForcePolicies, type UsageLimits } from "@agorusta/core/limits";
import type { JwtScope, TokenClaims } from "@agorusta/core/auth";
import { jwtScope } from "./lambda/stage.ts";
import { unattendedPurges, type PurgeQueue } from "./purge/queue.ts";
import { unlinkedFileStore, type FileStore, type Stores } from "@agorusta/core/attachments";
import { unscheduledExpiries, type ExpiryQueue } from "./delivery/connectionExpiry.ts";
import { unsentPushes, type PushQueue } from "./push/queue.ts";
import type { PushSetup } from "./push/setup.ts";

/** What the handlers need from the outside world; built once per process. */
export interface Deps {
  db: Db;
  /** Attachments, avatars and icons: the stage's bucket, or the embedded S3-compatible store locally. */
  files: FileStore;
  tokens: Tokens;
  /** Pushes events to WebSocket connections after a write is stored. */
  publisher: Publisher;
  /** The DynamoDB client and its request counts, for tests and benchmarks. */
  dynamo: DynamoClients;
  /** The brute-force limits of login and join-by-password; tests swap in small ones. */
  rateLimits: BruteForcePolicies;
  /** Where a deleted server's purge goes to run in the background (purge/queue.ts). */
  purges: PurgeQueue;
  /** Where a WebSocket whose token expires before API Gateway's cap asks to be closed at its expiry (delivery/connectionExpiry.ts). */
  expiries: ExpiryQueue;
  /** The abuse limits (api.md "Limits"), or "off" (`AGORUSTA_RATE_LIMITS=off`, for load tests). */
  usageLimits: UsageLimits | "off";
  /** The stage's web app origin, the only one the API answers cross-origin calls from (CORS). */
  webOrigin?: string;
  /** Web Push: the stage's VAPID keys and endpoint rule (push/setup.ts); none: push is not set up (its routes answer 404). */
  push?: PushSetup;
  /** Where a new message goes to be pushed to who is not looking, off the request path (push/queue.ts). */
  pushes: PushQueue;
}

export interface AppEnv {
  Variables: { userId: string; session: TokenClaims };
}

export function createDeps(options: {
  dynamo: DynamoClients;
  tableName: string;
  jwtSecret: string;
  /** None: a process that never touches files (the WebSocket Lambda, tests of other things). */
  files?: FileStore;
  publisher?: (db: Db) => Publisher;
  rateLimits?: BruteForcePolicies;
  purges?: (stores: Stores) => PurgeQueue;
  expiries?: (db: Db) => ExpiryQueue;
  usageLimits?: UsageLimits | "off";
  /** Whose tokens these are (iss, aud): the stage's, so another stage's tokens are refused even under the same secret. */
  jwt?: JwtScope;
  webOrigin?: string;
  push?: PushSetup;
  pushes?: (db: Db) => PushQueue;
}): Deps {
  const db = createDb(options.dynamo.document, options.tableName);
  const files = options.files ?? unlinkedFileStore;
  return {
    db,
    files,
    // Outside SST the stage is `local` (config.ts), so tests, `npm start` and a Lambda agree by default.
    tokens: createTokens(options.jwtSecret, options.jwt ?? jwtScope("agorusta", "local")),
    publisher: options.publisher?.(db) ?? silentPublisher,
    dynamo: options.dynamo,
    rateLimits: options.rateLimits ?? bruteForcePolicies,
    purges: options.purges?.({ db, files }) ?? unattendedPurges,
    expiries: options.expiries?.(db) ?? unscheduledExpiries,
    usageLimits: options.usageLimits ?? usageLimits,
    ...(options.webOrigin ? { webOrigin: options.webOrigin } : {}),
    ...(options.push ? { push: options.push } : {}),
    pushes: options.pushes?.(db) ?? unsentPushes,
  };
}
