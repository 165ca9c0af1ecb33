import S3rver from "s3rver";
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { claimsPayloadHash, payloadMatches, verifyPresignedSigV4, verifySigV4, type Credentials, type SignedRequest } from "./sigv4.ts";
import { isLoopbackHost } from "./loopbackHost.ts";
import { listening } from "./listening.ts";

export interface S3Local {
  /** `http://127.0.0.1:<port>`: what the S3 client and the presigned URLs address. */
  endpoint: string;
  /** The only credentials the store accepts, made up at each start: for this process's S3 clients. */
  credentials: Credentials;
  stop(): Promise<void>;
}

/** s3rver looks every access key up in this registry of its own (it checks no SigV4 signature, only that the key exists); its types leave it out. */
const AWSAccount = createRequire(import.meta.url)("s3rver/lib/models/account.js") as {
  DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void; revokeAccessKey(accessKeyId: string): void };
};

/** A header-signed body is read whole to check its hash; past this it is refused (the app's own calls are small). */
const MAX_SIGNED_BODY_BYTES = 64 * 1024 * 1024;

/** S3's own error answer, which the SDK reads (`Code`). */
function s3Error(res: ServerResponse, status: number, code: string, message: string) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body), connection: "close" }).end(body);
}

/** The body, or null past `limit` (read no further). */
async function bodyOf(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The embedded S3-compatible store (the npm package `s3rver`), files persisted under `dataDir`, or
 * in a temporary folder removed at stop (tests).
 *
 * s3rver checks no signature and answers any `Host`, so on a loopback port it would serve every
 * file to any local process and, through DNS rebinding, to any web page the developer opens
 * (issue 21). So it listens on a Unix socket in a folder only this user can enter, and what
 * listens on the loopback port is a front that passes on only requests addressed to a loopback
 * name at its port (else 421) and signed with this start's credentials (else 403): in the
 * `Authorization` header (the SDK's calls, body hash included) or as a presigned URL, unexpired
 * (the browser's uploads and downloads). CORS preflights carry no signature and pass unsigned.
 * The size and type of an upload are still checked when it is attached (docs/decisions.md, "Attachments").
 */
export async function startS3Local(options: { dataDir?: string } = {}): Promise<S3Local> {
  const temporary = !options.dataDir;
  const directory = options.dataDir ? resolve(options.dataDir) : mkdtempSync(join(tmpdir(), "agorusta-s3-"));
  mkdirSync(directory, { recursive: true });
  // mkdtemp makes the folder 0700: no other user can reach the socket inside.
  const socketDir = mkdtempSync(join(tmpdir(), "agorusta-s3-socket-"));
  const socketPath = join(socketDir, "s3.sock");
  const s3 = new S3rver({ directory, silent: true, vhostBuckets: false });
  const store = createServer(s3.callback());
  await listening(store, socketPath);

  const credentials: Credentials = { accessKeyId: `local-${randomBytes(12).toString("hex")}`, secretAccessKey: randomBytes(32).toString("base64url") };
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  let port = 0;

  /** Passes the request on to the store (with its body as read, if it was), and its answer back. */
  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer | null) {
    const upstream = request({ socketPath, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const { connection: _, "keep-alive": __, ...headers } = answer.headers;
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    // A client that goes away mid-way (a cancelled upload) takes its request to the store with it.
    let clientGone = false;
    res.on("close", () => {
      if (res.writableFinished) return;
      clientGone = true;
      upstream.destroy();
    });
    upstream.on("error", (e) => {
      if (clientGone) return;
      console.error("s3 front: the store failed:", e);
      if (!res.headersSent) s3Error(res, 502, "InternalError", "The store did not answer.");
      else res.destroy();
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!isLoopbackHost(req.headers.host, port)) return s3Error(res, 421, "MisdirectedRequest", "This store answers only requests to its loopback address.");
    if (req.method === "OPTIONS") return forward(req, res, null);
    const signed: SignedRequest = {
      method: req.method ?? "",
      url: new URL(req.url ?? "/", `http://${req.headers.host}`),
      header: (name) => {
        const value = req.headers[name];
        return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
      },
    };
    const presigned = signed.url.searchParams.has("X-Amz-Signature");
    if (presigned && req.headers.authorization) return s3Error(res, 400, "InvalidArgument", "Only one auth mechanism allowed.");
    const refused = presigned
      ? await verifyPresignedSigV4(signed, credentials, { service: "s3" })
      : !req.headers.authorization
        ? "unsigned"
        : signed.header("x-amz-content-sha256") === null
          ? "no x-amz-content-sha256"
          : await verifySigV4(signed, credentials, { service: "s3" });
    if (refused) return s3Error(res, 403, refused === "unsigned" ? "AccessDenied" : "SignatureDoesNotMatch", `Refused: ${refused}.`);
    const claimed = signed.header("x-amz-content-sha256");
    if (!claimsPayloadHash(claimed)) return forward(req, res, null);
    const body = await bodyOf(req, MAX_SIGNED_BODY_BYTES);
    if (!body) return s3Error(res, 413, "EntityTooLarge", "A header-signed body is read whole; send large files through a presigned URL.");
    if (!payloadMatches(claimed, body)) return s3Error(res, 400, "XAmzContentSHA256Mismatch", "The body is not the one whose hash was signed.");
    forward(req, res, body);
  }

  const front: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      console.error("s3 front failed:", e);
      if (!res.headersSent) s3Error(res, 500, "InternalError", "The store's front failed.");
      else res.destroy();
    });
  });
  await listening(front, 0, "127.0.0.1");
  port = (front.address() as AddressInfo).port;
  const closed = (server: Server) =>
    new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials,
    stop: async () => {
      await Promise.all([closed(front), closed(store)]);
      AWSAccount.DUMMY_ACCOUNT.revokeAccessKey(credentials.accessKeyId);
      rmSync(socketDir, { recursive: true, force: true });
      if (temporary) rmSync(directory, { recursive: true, force: true });
    },
  };
}
