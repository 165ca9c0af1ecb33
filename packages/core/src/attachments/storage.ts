/**
 * The file store: one S3 bucket (deployed) or the embedded S3-compatible store (locally), reached
 * by the very same `@aws-sdk/client-s3` code. Bytes never pass through the API: clients PUT them
 * to a presigned URL and GET them from one.
 */
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";

export interface StoredObject {
  size: number;
  contentType: string | undefined;
}

export interface FileStore {
  bucket: string;
  client: S3Client;
  /** A URL that accepts one PUT of exactly `size` bytes of `contentType` (both signed in). */
  presignPut(key: string, file: { contentType: string; size: number }, expiresInSeconds: number): Promise<{ url: string; headers: Record<string, string> }>;
  /**
   * A GET URL for the object, valid at least `GET_URL_MIN_VALIDITY_SECONDS` from now. Signed with
   * the start of the current window as its date, so every read within a window gets the very same
   * URL and browsers reuse what they cached.
   */
  presignGet(key: string, response: { contentType?: string; disposition: string }): Promise<string>;
  head(key: string): Promise<StoredObject | null>;
  /** The object's first `bytes` bytes (a ranged GET), or all of it if smaller. */
  readStart(key: string, bytes: number): Promise<Uint8Array>;
  copy(from: string, to: string): Promise<void>;
  /** Stores bytes the API itself received (a webhook's files: api.md "Incoming webhooks"); everything else is PUT by the client. */
  putBytes(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Deletes the keys (1000 to a request); absent keys are no error. */
  remove(keys: string[]): Promise<void>;
  /** Keys under `prefix` last modified before `before` (the local stand-in for a lifecycle rule). */
  listOlderThan(prefix: string, before: Date): Promise<string[]>;
}

/** Signed GET URLs are renewed on every read; one signed in the current window stays valid this long after it ends. */
export const GET_URL_MIN_VALIDITY_SECONDS = 3600;
export const GET_URL_WINDOW_SECONDS = 3600;

/**
 * A client for the embedded store (path-style addresses), with the credentials it accepts (made up
 * at each start: packages/local/src/s3Local.ts); without them, the SDK's usual sources (a Lambda
 * pointed at it by S3_ENDPOINT reads them from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).
 */
export const localS3Config = (endpoint: string, credentials?: { accessKeyId: string; secretAccessKey: string }): S3ClientConfig => ({
  endpoint,
  region: "us-east-1",
  forcePathStyle: true,
  ...(credentials ? { credentials } : {}),
});

/** For processes that have no bucket linked (the WebSocket Lambda): any use is a fault, loudly. */
export const unlinkedFileStore: FileStore = new Proxy({} as FileStore, {
  get(_, prop) {
    if (prop === "then") return undefined;
    throw new Error(`no file store is linked to this function (FileStore.${String(prop)})`);
  },
});
