/**
 * Checks an AWS Signature Version 4 the way API Gateway checks calls to `@connections`: the
 * request is signed again with the one secret the local publisher holds (made up per start), and
 * the signatures must match. Signing is AWS's own signer (@smithy/signature-v4, the one the SDK
 * signs with), so only the comparison is ours.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@agorusta/functions/delivery/sha256";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** AWS refuses signatures more than 15 minutes from its clock; the local clock is the client's, so 5 is plenty. */
const MAX_SKEW_MS = 5 * 60_000;

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** One signer per scope: it caches the derived signing key, which costs four HMACs to make. */
const signers = new WeakMap<Credentials, Map<string, SignatureV4>>();
function signerFor(credentials: Credentials, region: string, service: string): SignatureV4 {
  let byScope = signers.get(credentials);
  if (!byScope) signers.set(credentials, (byScope = new Map()));
  const key = `${region}/${service}`;
  let signer = byScope.get(key);
  if (!signer) {
    // A caller picks the scope: only the two AWS would accept here are kept, so none can grow the map.
    signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
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
  body: Uint8Array;
}

/** Why a request is refused, or null when its signature is ours. */
export async function verifySigV4(req: SignedRequest, credentials: Credentials, now = Date.now()): Promise<string | null> {
  const m = AUTH.exec(req.header("authorization") ?? "");
  if (!m) return "no SigV4 authorization";
  const [, keyId, day, region, service, signedHeaders, signature] = m as unknown as string[];
  if (keyId !== credentials.accessKeyId) return "unknown access key";
  const amzDate = req.header("x-amz-date") ?? "";
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!d || !amzDate.startsWith(day!)) return "bad x-amz-date";
  const signingDate = new Date(Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!));
  if (Math.abs(now - signingDate.getTime()) > MAX_SKEW_MS) return "signature expired";

  const names = signedHeaders!.split(";");
  if (!names.includes("host")) return "host not signed";
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = req.header(name);
    if (value === null) return `signed header ${name} missing`;
    headers[name] = value;
  }
  // When the client sends its payload's hash, the signer signs that header instead of hashing the
  // body: it must be the body's, or a signed request could carry any other body.
  const claimed = req.header("x-amz-content-sha256");
  if (claimed !== null && claimed !== createHash("sha256").update(req.body).digest("hex")) return "body does not match its signed hash";
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of req.url.searchParams) {
    const seen = query[k];
    query[k] = seen === undefined ? v : [...(Array.isArray(seen) ? seen : [seen]), v];
  }
  const signer = signerFor(credentials, region!, service!);
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: req.url.protocol,
      hostname: req.url.hostname,
      ...(req.url.port ? { port: Number(req.url.port) } : {}),
      path: req.url.pathname,
      query,
      headers,
      body: req.body,
    },
    { signingDate, signableHeaders: new Set(names) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ""))?.[1] ?? "";
  const ok = expected.length === 64 && timingSafeEqual(Buffer.from(expected), Buffer.from(signature!));
  return ok ? null : "signature does not match";
}
