/**
 * The file store: one S3 bucket (deployed) or the embedded S3-compatible store (locally), reached
 * by the very same `@aws-sdk/client-s3` code. Bytes never pass through the API: clients PUT them
 * to a presigned URL and GET them from one.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  PutBucketCorsCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

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

export function createFileStore(options: { bucket: string; config?: S3ClientConfig }): FileStore {
  const client = new S3Client({
    // Flexible checksums would sign a checksum of an empty body into presigned PUTs; S3 needs
    // none for these requests, and the embedded store knows none.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...options.config,
  });
  const Bucket = options.bucket;
  return {
    bucket: Bucket,
    client,
    async presignPut(key, file, expiresIn) {
      const command = new PutObjectCommand({ Bucket, Key: key, ContentType: file.contentType, ContentLength: file.size });
      const url = await getSignedUrl(client, command, {
        expiresIn,
        // Signed as headers, not hoisted into the query: S3 then refuses a body of another type or length.
        signableHeaders: new Set(["content-type", "content-length"]),
        unhoistableHeaders: new Set(["content-type", "content-length"]),
      });
      // Content-Length is set by every HTTP client from the body (browsers refuse to let a page set it).
      return { url, headers: { "content-type": file.contentType } };
    },
    async presignGet(key, response) {
      const window = GET_URL_WINDOW_SECONDS * 1000;
      const signingDate = new Date(Math.floor(Date.now() / window) * window);
      const command = new GetObjectCommand({
        Bucket,
        Key: key,
        ResponseContentType: response.contentType,
        ResponseContentDisposition: response.disposition,
      });
      return getSignedUrl(client, command, { signingDate, expiresIn: GET_URL_WINDOW_SECONDS + GET_URL_MIN_VALIDITY_SECONDS });
    },
    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return { size: out.ContentLength ?? 0, contentType: out.ContentType };
      } catch (e) {
        const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
        if (err.name === "NotFound" || err.name === "NoSuchKey" || err.$metadata?.httpStatusCode === 404) return null;
        throw e;
      }
    },
    async readStart(key, bytes) {
      const out = await client.send(new GetObjectCommand({ Bucket, Key: key, Range: `bytes=0-${bytes - 1}` }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    },
    async copy(from, to) {
      await client.send(new CopyObjectCommand({ Bucket, Key: to, CopySource: `${Bucket}/${encodeURI(from)}` }));
    },
    async putBytes(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }));
    },
    async remove(keys) {
      for (let at = 0; at < keys.length; at += 1000) {
        const batch = keys.slice(at, at + 1000);
        const out = await client.send(
          new DeleteObjectsCommand({ Bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        );
        const failures = (out.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
        if (failures.length) throw new Error(`could not delete ${failures.length} files: ${failures[0]!.Code} ${failures[0]!.Message}`);
      }
    },
    async listOlderThan(prefix, before) {
      const keys: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const out = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
        for (const o of out.Contents ?? []) if (o.Key && o.LastModified && o.LastModified < before) keys.push(o.Key);
        ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys;
    },
  };
}

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

/**
 * Creates the bucket unless it is there (the local store and tests; deployed, SST makes it), and
 * lets the web app's origins PUT and GET from the browser.
 */
export async function ensureBucket(files: FileStore, corsOrigins: string[] = []): Promise<void> {
  try {
    await files.client.send(new CreateBucketCommand({ Bucket: files.bucket }));
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") throw e;
  }
  if (!corsOrigins.length) return;
  await files.client.send(
    new PutBucketCorsCommand({
      Bucket: files.bucket,
      CORSConfiguration: {
        CORSRules: [{ AllowedOrigins: corsOrigins, AllowedMethods: ["PUT", "GET", "HEAD"], AllowedHeaders: ["content-type"], ExposeHeaders: ["etag"], MaxAgeSeconds: 3600 }],
      },
    }),
  );
}

/** For processes that have no bucket linked (the WebSocket Lambda): any use is a fault, loudly. */
export const unlinkedFileStore: FileStore = new Proxy({} as FileStore, {
  get(_, prop) {
    if (prop === "then") return undefined;
    throw new Error(`no file store is linked to this function (FileStore.${String(prop)})`);
  },
});
