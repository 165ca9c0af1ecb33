/**
 * SHA-256 and HMAC-SHA-256 for SigV4 signing, over node:crypto: the `sha256` a client of the AWS
 * SDK may be given, and the local gateway's signature check. Each `@connections` post is signed
 * (and, locally, checked) with an HMAC keyed by the day's signing key; node:crypto spends about
 * five times longer preparing a key given as bytes than one given as a KeyObject, so the key
 * object is made once per key (the signer keeps its signing key as one Uint8Array per day).
 */
import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from "node:crypto";
import type { SourceData } from "@smithy/types";

const bytes = (data: SourceData): Uint8Array | string =>
  typeof data === "string" ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

const keyObjects = new WeakMap<object, KeyObject>();
/**
 * Keys given as strings: SigV4 hashes the secret access key on every signature (to name its
 * signing-key cache). Few ever exist at once (a secret, its `AWS4` form); bounded all the same.
 */
const stringKeys = new Map<string, KeyObject>();
function keyOf(secret: SourceData): KeyObject | string {
  if (typeof secret === "string") {
    let key = stringKeys.get(secret);
    if (!key) {
      if (stringKeys.size >= 16) stringKeys.clear();
      stringKeys.set(secret, (key = createSecretKey(Buffer.from(secret, "utf8"))));
    }
    return key;
  }
  let key = keyObjects.get(secret);
  if (!key) keyObjects.set(secret, (key = createSecretKey(bytes(secret) as Uint8Array)));
  return key;
}

export class Sha256 {
  #key: KeyObject | string | undefined;
  #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#key = secret === undefined ? undefined : keyOf(secret);
    this.#hash = this.#fresh();
  }
  #fresh(): Hash | Hmac {
    return this.#key === undefined ? createHash("sha256") : createHmac("sha256", this.#key);
  }
  update(data: SourceData) {
    this.#hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.#hash.digest());
  }
  reset() {
    this.#hash = this.#fresh();
  }
}
