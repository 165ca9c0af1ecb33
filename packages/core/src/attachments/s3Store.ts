/**
 * The file store over S3 (the stage's bucket, or the embedded S3-compatible store locally): the
 * only code that needs the S3 client and its presigner. Apart from storage.ts (what the store is)
 * so the API Lambda can load it at the first request that touches a file (functions
 * lambda/api.ts), a chunk of its own deployed (docs/performance.md, "Bundles").
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
import { GET_URL_MIN_VALIDITY_SECONDS, GET_URL_WINDOW_SECONDS, type FileStore } from "./storage.ts";

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
