/**
 * Checks AWS Signature Version 4 the way AWS checks it: the request is signed again with the one
 * secret the local caller holds (made up per start), and the signatures must match. Two places
 * use it: the gateway's `@connections` (as API Gateway requires IAM-signed calls) and the S3
 * stand-in's front (s3Local.ts), where signatures come in the `Authorization` header (the SDK) or
 * in the query of a presigned URL (browsers). Signing is AWS's own signer (@smithy/signature-v4,
 * the one the SDK signs with), so only the comparison is ours.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";
import { Sha256 } from "@agorusta/functions/delivery/sha256";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** AWS refuses signatures more than 15 minutes from its clock; the local clock is the client's, so 5 is plenty. */
const MAX_SKEW_MS = 5 * 60_000;
/** A presigned URL lives at most a week (SigV4's own limit). */
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** One signer per scope: it caches the derived signing key, which costs four HMACs to make. */
const signers = new WeakMap<Credentials, Map<string, SignatureV4>>();
function signerFor(credentials: Credentials, region: string, service: string): SignatureV4 {
  let byScope = signers.get(credentials);
  if (!byScope) signers.set(credentials, (byScope = new Map()));
  const key = `${region}/${service}`;
  let signer = byScope.get(key);
  if (!signer) {
    // S3 signs the path as sent; every other service signs it encoded once more.
    signer = new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: service !== "s3" });
    // A caller picks the scope: only the two AWS would accept here are kept, so none can grow the map.
    if (byScope.size < 2) byScope.set(key, signer);
  }
  return signer;
}

export interface SignedRequest {
  method: string;
  /** As received, percent-encoding included. */
  url: URL;
  /** A header's value as received (several joined with ", "), or null. */
  header(name: string): string | null;
  /** The body; none when only the signature is checked (the caller then checks the payload's hash: `payloadMatches`). */
  body?: Uint8Array;
}

export interface VerifyOptions {
  now?: number;
  /** The service the signature must be scoped to (any, if not given). */
  service?: string;
}

/** The time an `X-Amz-Date` names, or null when it is not one. */
function amzTime(amzDate: string): number | null {
  const d = AMZ_DATE.exec(amzDate);
  return d ? Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!) : null;
}

/** The signed headers' values as received, or the name of one that is missing. */
function signedHeaders(req: SignedRequest, names: string[]): Record<string, string> | string {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = req.header(name);
    if (value === null) return name;
    headers[name] = value;
  }
  return headers;
}

/** The query as the signer takes it (repeated names as lists), without `leaveOut`. */
function queryOf(url: URL, leaveOut?: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    if (k === leaveOut) continue;
    const seen = query[k];
    query[k] = seen === undefined ? v : [...(Array.isArray(seen) ? seen : [seen]), v];
  }
  return query;
}

const requestFor = (req: SignedRequest, headers: Record<string, string>, query: Record<string, string | string[]>): HttpRequest => ({
  method: req.method,
  protocol: req.url.protocol,
  hostname: req.url.hostname,
  ...(req.url.port ? { port: Number(req.url.port) } : {}),
  path: req.url.pathname,
  query,
  headers,
  ...(req.body ? { body: req.body } : {}),
});

const sameSignature = (expected: string, given: string) =>
  expected.length === 64 && given.length === 64 && timingSafeEqual(Buffer.from(expected), Buffer.from(given));

/**
 * The last body hashed, and its hash: the gateway is posted one event's frame once per recipient,
 * the same bytes each time, and comparing them costs far less than hashing them again.
 */
let last: { body: Buffer; hash: string } | undefined;
function sha256Hex(body: Uint8Array): string {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (last?.body.equals(bytes)) return last.hash;
  last = { body: Buffer.from(bytes), hash: createHash("sha256").update(bytes).digest("hex") };
  return last.hash;
}

/** Whether a payload's claimed hash (`x-amz-content-sha256`) needs the body to be checked (S3 allows `UNSIGNED-PAYLOAD`). */
export const claimsPayloadHash = (claimed: string | null): claimed is string => claimed !== null && claimed !== UNSIGNED_PAYLOAD;
/** Whether the body is the one whose hash the signature covers. */
export const payloadMatches = (claimed: string, body: Uint8Array) => claimed === sha256Hex(body);

/**
 * Why a request signed in its `Authorization` header is refused, or null when its signature is
 * ours. With `req.body`, the payload's claimed hash must be the body's too (the gateway); without,
 * the caller checks it (`payloadMatches`) once it has read the body.
 */
export async function verifySigV4(req: SignedRequest, credentials: Credentials, options: VerifyOptions = {}): Promise<string | null> {
  const m = AUTH.exec(req.header("authorization") ?? "");
  if (!m) return "no SigV4 authorization";
  const [, keyId, day, region, service, names, signature] = m as unknown as string[];
  if (keyId !== credentials.accessKeyId) return "unknown access key";
  if (options.service !== undefined && service !== options.service) return "signed for another service";
  const amzDate = req.header("x-amz-date") ?? "";
  const signedAt = amzTime(amzDate);
  if (signedAt === null || !amzDate.startsWith(day!)) return "bad x-amz-date";
  if (Math.abs((options.now ?? Date.now()) - signedAt) > MAX_SKEW_MS) return "signature expired";

  const list = names!.split(";");
  if (!list.includes("host")) return "host not signed";
  const headers = signedHeaders(req, list);
  if (typeof headers === "string") return `signed header ${headers} missing`;
  // When the client sends its payload's hash, the signer signs that header instead of hashing the
  // body: it must be the body's, or a signed request could carry any other body.
  const claimed = req.header("x-amz-content-sha256");
  if (claimed !== null && req.body && !payloadMatches(claimed, req.body)) return "body does not match its signed hash";
  const signed = await signerFor(credentials, region!, service!).sign(requestFor(req, headers, queryOf(req.url)), {
    signingDate: new Date(signedAt),
    signableHeaders: new Set(list),
  });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ""))?.[1] ?? "";
  return sameSignature(expected, signature!) ? null : "signature does not match";
}

/**
 * Why a presigned request (SigV4 in the query: `X-Amz-Signature` and the rest, as S3's presigner
 * makes them for browsers) is refused, or null when its signature is ours and it has not expired.
 * Its payload is unsigned (as S3's presigner makes them) unless it signs `x-amz-content-sha256`,
 * whose claim the caller then checks against the body (`payloadMatches`).
 */
export async function verifyPresignedSigV4(req: SignedRequest, credentials: Credentials, options: VerifyOptions = {}): Promise<string | null> {
  const q = req.url.searchParams;
  if (q.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") return "not a SigV4 presigned request";
  const c = CREDENTIAL.exec(q.get("X-Amz-Credential") ?? "");
  if (!c) return "bad X-Amz-Credential";
  const [, keyId, day, region, service] = c as unknown as string[];
  if (keyId !== credentials.accessKeyId) return "unknown access key";
  if (options.service !== undefined && service !== options.service) return "signed for another service";
  const amzDate = q.get("X-Amz-Date") ?? "";
  const signedAt = amzTime(amzDate);
  if (signedAt === null || !amzDate.startsWith(day!)) return "bad X-Amz-Date";
  const expires = q.get("X-Amz-Expires") ?? "";
  if (!/^\d{1,6}$/.test(expires) || Number(expires) > MAX_PRESIGNED_SECONDS) return "bad X-Amz-Expires";
  const now = options.now ?? Date.now();
  if (signedAt - now > MAX_SKEW_MS) return "signed in the future";
  if (now > signedAt + Number(expires) * 1000) return "presigned URL expired";
  const signature = q.get("X-Amz-Signature") ?? "";
  if (!/^[0-9a-f]{64}$/.test(signature)) return "bad X-Amz-Signature";

  const list = (q.get("X-Amz-SignedHeaders") ?? "").split(";");
  if (!list.includes("host")) return "host not signed";
  const headers = signedHeaders(req, list);
  if (typeof headers === "string") return `signed header ${headers} missing`;
  // The payload hash the signer uses; neither signed as a header nor moved into the query.
  const payload = "x-amz-content-sha256";
  const presigned = await signerFor(credentials, region!, service!).presign(
    requestFor({ ...req, body: undefined }, { [payload]: UNSIGNED_PAYLOAD, ...headers }, queryOf(req.url, "X-Amz-Signature")),
    {
      signingDate: new Date(signedAt),
      expiresIn: Number(expires),
      signableHeaders: new Set(list),
      unsignableHeaders: new Set(list.includes(payload) ? [] : [payload]),
      unhoistableHeaders: new Set([payload, ...list]),
    },
  );
  const expected = presigned.query?.["X-Amz-Signature"];
  return typeof expected === "string" && sameSignature(expected, signature) ? null : "signature does not match";
}
