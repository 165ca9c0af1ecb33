/**
 * The stage's Web Push identity (VAPID, RFC 8292) and whose endpoints it may post to. Deployed,
 * the private key is the per-stage secret `VapidPrivateKey` (infra/secrets.ts); the public key is
 * derived from it, so there is one secret to set and no pair to keep in step. Locally it is
 * generated into `.data/` on first start (packages/local/src/main.ts).
 */
import { createECDH } from "node:crypto";
import type { EndpointPolicy } from "@agorusta/core/notifications";

export interface VapidKeys {
  /** The uncompressed P-256 public key, base64url (what `PushManager.subscribe` takes as `applicationServerKey`). */
  publicKey: string;
  /** The 32-byte private key, base64url. */
  privateKey: string;
  /** Who to contact about these pushes (`mailto:` or an `https:` URL), sent to push services in the VAPID token. */
  subject: string;
}

export interface PushSetup {
  vapid: VapidKeys;
  /** `public` deployed; `local` under `npm start` and in tests (loopback `http:` endpoints too). */
  endpoints: EndpointPolicy;
}

/** The key pair from its private half (base64url, 32 bytes). Throws for anything else, naming the secret. */
export function vapidKeysFrom(privateKey: string, subject: string): VapidKeys {
  const raw = Buffer.from(privateKey.trim(), "base64url");
  if (raw.length !== 32) throw new Error("The VAPID private key must be 32 bytes, base64url (see README, \"Push\").");
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(raw);
  return { publicKey: ecdh.getPublicKey().toString("base64url"), privateKey: raw.toString("base64url"), subject };
}

/** A new private key (base64url): what `npx sst secret set VapidPrivateKey` is given, and `.data/vapid-private-key` holds. */
export function newVapidPrivateKey(): string {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  // The scalar comes without its leading zero bytes (one key in 256 starts with one); a VAPID
  // private key is always its 32 bytes.
  const scalar = ecdh.getPrivateKey();
  return Buffer.concat([Buffer.alloc(32 - scalar.length), scalar]).toString("base64url");
}
