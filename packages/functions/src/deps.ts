import { createDb, createTokens, silentPublisher, type Db, type DynamoClients, type Publisher, type Tokens } from "@agorusta/core";
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
}): Deps {
  const db = createDb(options.dynamo.document, options.tableName);
  return {
    db,
    files: options.files ?? unlinkedFileStore,
    tokens: createTokens(options.jwtSecret),
    publisher: options.publisher?.(db) ?? silentPublisher,
    dynamo: options.dynamo,
    rateLimits: options.rateLimits ?? bruteForcePolicies,
  };
}
