import { inject } from "vitest";
import { randomBytes } from "node:crypto";
import { createDb, createDynamoClients, ensureTable, localDynamoConfig, type Db, type DynamoClients } from "../src/index.ts";
import type { UserItem } from "../src/model/index.ts";
import { newId } from "../src/store/ids.ts";
import { foldCase } from "../src/store/keys.ts";
import { S3Client } from "@aws-sdk/client-s3";
import { unlinkedFileStore, type FileStore } from "../src/attachments/storage.ts";
import type { Stores } from "../src/attachments/files.ts";

/**
 * Core's own harness: a fresh table in the run's DynamoDB Local (started by the workspace's
 * global setup) and the model over it. Nothing from `functions` or `local`: core is tested
 * as the domain it is, without HTTP.
 */
export async function freshDb(): Promise<{ db: Db; dynamo: DynamoClients; tableName: string }> {
  const dynamo = createDynamoClients(localDynamoConfig(inject("dynamoEndpoint")));
  const tableName = `core_${Date.now()}_${randomBytes(4).toString("hex")}`;
  // No stream: nothing reads it here (core store/table.ts `TableOptions`).
  await ensureTable(dynamo.raw, tableName, { stream: false });
  return { db: createDb(dynamo.document, tableName), dynamo, tableName };
}

let seq = 0;
/** A name no other test in the run has used (usernames are unique across the table). */
export const uniqueName = (prefix: string) => `${prefix}${Date.now().toString(36)}${seq++}`;

/**
 * A user written straight into the table: for tests that need users but are not about
 * registration (each registration spends ~100 ms hashing a password).
 */
export async function insertUser(db: Db, username = uniqueName("u")): Promise<UserItem> {
  const usernameLower = foldCase(username);
  const user: UserItem = {
    userId: newId(),
    username,
    usernameLower,
    usernameInitial: usernameLower.slice(0, 1),
    email: `${usernameLower}@example.com`,
    passwordHash: "not a hash: this user never logs in",
    createdAt: new Date().toISOString(),
  };
  await db.entities.users.create(user).go();
  return user;
}

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** What the message and roster functions take: the table, and no file store (these tests attach no files). */
export const stores = (db: Db): Stores => ({ db, files: unlinkedFileStore });

/**
 * A file store in memory, for tests that attach files without S3: `put` stands in for the
 * client's presigned PUT; presigned URLs are names only (nothing serves them).
 */
export function memoryFileStore(): FileStore & { put(key: string, contentType: string, bytes: Uint8Array): void; keys(): string[] } {
  const objects = new Map<string, { contentType: string; bytes: Uint8Array }>();
  return {
    bucket: "memory",
    client: new S3Client({ region: "local" }),
    put: (key, contentType, bytes) => void objects.set(key, { contentType, bytes }),
    putBytes: async (key, bytes, contentType) => void objects.set(key, { contentType, bytes }),
    keys: () => [...objects.keys()],
    presignPut: async (key) => ({ url: `memory://${key}`, headers: {} }),
    presignGet: async (key) => `memory://${key}`,
    head: async (key) => {
      const o = objects.get(key);
      return o ? { size: o.bytes.byteLength, contentType: o.contentType } : null;
    },
    readStart: async (key, bytes) => (objects.get(key)?.bytes ?? new Uint8Array()).slice(0, bytes),
    copy: async (from, to) => {
      const o = objects.get(from);
      if (!o) throw new Error(`no object ${from}`);
      objects.set(to, o);
    },
    remove: async (keys) => keys.forEach((k) => objects.delete(k)),
    listOlderThan: async (prefix) => [...objects.keys()].filter((k) => k.startsWith(prefix)),
  };
}
