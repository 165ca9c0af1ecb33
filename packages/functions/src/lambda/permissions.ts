/**
 * What each Lambda may do to the table: the IAM actions infra/functions.ts grants it (on the table
 * and its indexes, nothing else), and the very list its DynamoDB client enforces in tests and under
 * `npm start` (packages/core/src/store/client.ts), so a request that needs a new action fails in a
 * test, naming this file, before it fails deployed. Plain data: infra imports it too.
 *
 * No Scan, no table management (CreateTable, DeleteTable, UpdateTable), no PartiQL, no backups:
 * none is used, so none is granted. The search indexer's stream reads are granted by its
 * subscription (infra/search.ts), not here.
 */
export const dynamoActions = {
  /**
   * The REST Lambda: every route, and its publisher (which closes connections a post finds gone).
   * ConditionCheckItem: joins, new channels and messages check that their server still exists
   * (core/servers/deletion.ts: nothing hangs from a server being purged); sign-in checks the
   * password hash is unchanged as it opens a session, and joins check the user is not banned,
   * each in the transaction that writes.
   */
  api: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem", "BatchGetItem", "BatchWriteItem"],
  /** The WebSocket Lambda: connections, subscriptions (checked against the membership in one transaction), presence. */
  ws: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem", "BatchGetItem", "BatchWriteItem"],
  /** The purge of deleted servers (infra/purge.ts): it reads what is left and deletes it. */
  purge: ["GetItem", "Query", "UpdateItem", "DeleteItem", "BatchGetItem", "BatchWriteItem"],
  /**
   * The Fanout Lambda: posts one batch, and closes the connections a post finds gone (their
   * subscriptions, the connection, the user's count, then their audiences' new tokens: a PutItem
   * for one partition, a BatchWriteItem for several; then who shares a server hears they left).
   */
  fanout: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"],
  /**
   * The connection-expiry queue's consumer (infra/realtime.ts): reads a connection's expiry and
   * closes it, then as the Fanout Lambda for one found gone (its audience's new token is a PutItem).
   */
  expiry: ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"],
  /**
   * The push queue's consumer (infra/push.ts): reads a message, who it may reach and their
   * settings (BatchGetItem, Query), writes each recipient's receipt (a conditional PutItem), and
   * deletes a subscription the push service says is gone (DeleteItem and the count's UpdateItem,
   * in one transaction).
   */
  push: ["GetItem", "Query", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem"],
  /**
   * The search indexer (infra/search.ts): reads a DM's participants, writes and deletes postings;
   * its backfill reads each conversation's messages and marks its progress.
   */
  searchIndex: ["GetItem", "Query", "PutItem", "BatchWriteItem"],
} as const satisfies Record<string, readonly string[]>;

export type LambdaName = keyof typeof dynamoActions;

/** As IAM names them. */
export const iamDynamoActions = (lambda: LambdaName): string[] => dynamoActions[lambda].map((a) => `dynamodb:${a}`);
