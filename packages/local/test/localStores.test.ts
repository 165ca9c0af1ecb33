/**
 * Issue 21, item 6: the local stores are no way in. A web page the developer opens can reach
 * loopback ports through DNS rebinding (its own name pointed at 127.0.0.1, so its requests carry
 * `Host: evil.example:<port>`), or call them straight from its origin. The embedded S3 store and
 * DynamoDB Local answer only requests addressed to a loopback name at their port, and the S3 store
 * only requests signed with this start's credentials, in the header (the SDK) or presigned
 * (browsers, which keep uploading and downloading).
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { request } from "node:http";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { createFileStore, localS3Config, type FileStore } from "@agorusta/core/attachments";
import { freshFiles } from "@agorusta/testing";

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A request exactly as given (Host included), which fetch would not let a test write. */
function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {}): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, method: init.method ?? "GET", path: `${u.pathname}${u.search}`, headers: { host: u.host, ...init.headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("the embedded S3 store", () => {
  let files: FileStore;
  let endpoint: string;
  let port: string;
  const key = "pending/issue21/file.txt";
  beforeAll(async () => {
    files = await freshFiles();
    endpoint = inject("s3Endpoint");
    port = new URL(endpoint).port;
    await files.client.send(new PutObjectCommand({ Bucket: files.bucket, Key: key, Body: "secret bytes", ContentType: "text/plain" }));
  });
  const objectUrl = () => `${endpoint}/${files.bucket}/${key}`;

  it("serves its own app: presigned GET and PUT (the browser's way) and the SDK's signed calls", async () => {
    const get = await send(await files.presignGet(key, { contentType: "text/plain", disposition: "attachment" }));
    expect(get).toMatchObject({ status: 200, body: "secret bytes" });
    const put = await files.presignPut("pending/issue21/new.txt", { contentType: "text/plain", size: 5 }, 600);
    expect((await send(put.url, { method: "PUT", headers: { ...put.headers, "content-length": "5" }, body: "hello" })).status).toBe(200);
    expect(await files.head("pending/issue21/new.txt")).toEqual({ size: 5, contentType: "text/plain" });
  });

  it("refuses a request whose Host is not a loopback name at its port (421), even one validly signed", async () => {
    const signed = await files.presignGet(key, { disposition: "inline" });
    for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`, "127.0.0.1", `[::2]:${port}`]) {
      const res = await send(signed, { headers: { host } });
      expect(res.status, host).toBe(421);
      expect(res.body).not.toContain("secret bytes");
    }
  });

  it("refuses unsigned requests (403): GET, PUT, listing, deleting", async () => {
    for (const [method, url] of [
      ["GET", objectUrl()],
      ["PUT", objectUrl()],
      ["DELETE", objectUrl()],
      ["GET", `${endpoint}/${files.bucket}?list-type=2`],
      ["GET", `${endpoint}/`],
    ] as const) {
      const res = await send(url, { method, ...(method === "PUT" ? { body: "overwritten" } : {}) });
      expect(res.status, `${method} ${url}`).toBe(403);
      expect(res.body).toMatch(/<Code>AccessDenied<\/Code>/);
    }
    expect(await files.readStart(key, 100)).toEqual(new TextEncoder().encode("secret bytes"));
  });

  it("refuses requests signed with other credentials, the public S3RVER ones included (403)", async () => {
    for (const credentials of [{ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }, { ...inject("s3Credentials"), secretAccessKey: "a guess" }]) {
      const stranger = new S3Client(localS3Config(endpoint, credentials));
      await expect(stranger.send(new GetObjectCommand({ Bucket: files.bucket, Key: key }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      await expect(stranger.send(new ListObjectsV2Command({ Bucket: files.bucket }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      const url = await getSignedUrl(stranger, new GetObjectCommand({ Bucket: files.bucket, Key: key }), { expiresIn: 600 });
      expect((await send(url)).status).toBe(403);
    }
  });

  it("refuses a presigned URL that was altered, or has expired (403)", async () => {
    const signed = new URL(await files.presignGet(key, { contentType: "text/plain", disposition: "attachment" }));
    const altered = [
      (u: URL) => u.searchParams.set("response-content-type", "text/html"), // what the link makes the browser do
      (u: URL) => u.searchParams.set("X-Amz-Expires", "604800"),
      (u: URL) => u.searchParams.set("X-Amz-Signature", "0".repeat(64)),
      (u: URL) => (u.pathname = `/${files.bucket}/pending/issue21/new.txt`), // another object
    ];
    for (const alter of altered) {
      const u = new URL(signed);
      alter(u);
      expect((await send(u.href)).status, u.search).toBe(403);
    }
    // A PUT URL does not serve a GET, nor a GET URL a PUT.
    expect((await send(signed.href, { method: "PUT", body: "x" })).status).toBe(403);
    const expired = await getSignedUrl(files.client, new GetObjectCommand({ Bucket: files.bucket, Key: key }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 10 * 60_000),
    });
    expect((await send(expired)).status).toBe(403);
  });

  it("refuses a presigned PUT of another size or type than signed (403), as S3 does", async () => {
    const put = await files.presignPut("pending/issue21/sized.txt", { contentType: "text/plain", size: 5 }, 600);
    expect((await send(put.url, { method: "PUT", headers: { "content-type": "text/plain", "content-length": "6" }, body: "hello!" })).status).toBe(403);
    expect((await send(put.url, { method: "PUT", headers: { "content-type": "text/html", "content-length": "5" }, body: "<b>!!" })).status).toBe(403);
    expect(await files.head("pending/issue21/sized.txt")).toBeNull();
  });

  it("refuses a header-signed body that is not the one whose hash was signed", async () => {
    const signer = new S3Client(localS3Config(endpoint, inject("s3Credentials")));
    // Sign a PutObject, then swap the body for another of the same length on the way out.
    signer.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { body: unknown }).body = "EVIL";
        return next(args);
      },
      { step: "finalizeRequest", priority: "low", name: "swapBody" },
    );
    await expect(
      signer.send(new PutObjectCommand({ Bucket: files.bucket, Key: "pending/issue21/swapped.txt", Body: "good", ContentType: "text/plain" })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    expect(await files.head("pending/issue21/swapped.txt")).toBeNull();
  });

  it("answers a browser's CORS preflight, which carries no signature, for the web app's origins only", async () => {
    const store = createFileStore({ bucket: files.bucket, config: localS3Config(endpoint, inject("s3Credentials")) });
    const { PutBucketCorsCommand } = await import("@aws-sdk/client-s3");
    await store.client.send(
      new PutBucketCorsCommand({
        Bucket: files.bucket,
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["http://127.0.0.1:3000"], AllowedMethods: ["PUT", "GET"], AllowedHeaders: ["content-type"] }] },
      }),
    );
    const preflight = (origin: string) =>
      send(objectUrl(), { method: "OPTIONS", headers: { origin, "access-control-request-method": "PUT", "access-control-request-headers": "content-type" } });
    const ours = await preflight("http://127.0.0.1:3000");
    expect(ours.status).toBe(200);
    expect(ours.headers["access-control-allow-methods"]).toContain("PUT");
    // Another origin's is refused by the bucket's CORS rules (the store's own answer), not let through.
    const theirs = await preflight("http://evil.example");
    expect(theirs.status).toBe(403);
    expect(theirs.body).toMatch(/<Code>CORSResponse<\/Code>/);
    expect(theirs.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("DynamoDB Local", () => {
  const listTables = (headers: Record<string, string>) =>
    send(inject("dynamoEndpoint"), {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.ListTables",
        // DynamoDB Local wants a signature's shape and checks nothing in it.
        authorization: "AWS4-HMAC-SHA256 Credential=local/20261201/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00",
        ...headers,
      },
      body: "{}",
    });

  it("answers its own clients (a loopback Host at its port, no Origin)", async () => {
    const port = new URL(inject("dynamoEndpoint")).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `127.1.2.3:${port}`]) {
      const res = await listTables({ host });
      expect(res.status, host).toBe(200);
      expect(JSON.parse(res.body)).toHaveProperty("TableNames");
    }
  });

  it("refuses a request whose Host is not a loopback name at its port (421): a rebound page's", async () => {
    const port = new URL(inject("dynamoEndpoint")).port;
    for (const host of [`evil.example:${port}`, "evil.example", `127.0.0.1:${Number(port) + 1}`, "127.0.0.1", `localhost.evil.example:${port}`, `1.2.3.4:${port}`]) {
      const res = await listTables({ host });
      expect(res.status, host).toBe(421);
      expect(res.body).not.toContain("TableNames");
    }
  });

  it("refuses a browser page's request (it carries an Origin), which DynamoDB Local's CORS would let any origin make (403)", async () => {
    const res = await listTables({ origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.body).not.toContain("TableNames");
    const preflight = await send(inject("dynamoEndpoint"), { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
