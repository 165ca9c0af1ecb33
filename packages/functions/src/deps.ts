import { createDb, createTokens, silentPublisher, type Db, type DynamoClients, type Publisher, type Tokens } from "@agorusta/core";
import type { JwtScope } from "@agorusta/core/auth";
import { jwtScope } from "./lambda/stage.ts";
import { bruteForcePolicies, type BruteForcePolicies } from "@agorusta/core/limits";
import { unlinkedFileStore, type FileStore } from "@agorusta/core/attachments";

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
  /** The stage's web app origin, the only one the API answers cross-origin calls from (CORS). */
  webOrigin?: string;
}

export interface AppEnv {
  Variables: { userId: string };
}

export function createDeps(options: {
  dynamo: DynamoClients;
  tableName: string;
  jwtSecret: string;
  /** None: a process that never touches files (the WebSocket Lambda, tests of other things). */
  files?: FileStore;
  publisher?: (db: Db) => Publisher;
  rateLimits?: BruteForcePolicies;
  /** Whose tokens these are (iss, aud): the stage's, so another stage's tokens are refused even under the same secret. */
  jwt?: JwtScope;
  webOrigin?: string;
}): Deps {
  const db = createDb(options.dynamo.document, options.tableName);
  return {
    db,
    files: options.files ?? unlinkedFileStore,
    // Outside SST the stage is `local` (config.ts), so tests, `npm start` and a Lambda agree by default.
    tokens: createTokens(options.jwtSecret, options.jwt ?? jwtScope("agorusta", "local")),
    publisher: options.publisher?.(db) ?? silentPublisher,
    dynamo: options.dynamo,
    rateLimits: options.rateLimits ?? bruteForcePolicies,
    ...(options.webOrigin ? { webOrigin: options.webOrigin } : {}),
  };
}
