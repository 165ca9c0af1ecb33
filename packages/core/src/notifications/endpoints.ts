/**
 * A push endpoint is a URL the server will POST to on its own, so it must not reach into the
 * network the server sits in (SSRF): api.md "Web Push". Checked when registered (a 400) and again
 * at every connection (packages/functions, push/transport.ts, through the addresses the name
 * resolves to, so a name that later resolves to a private address is refused too).
 *
 * Deployed (`public`): only `https:` to a host that is not a loopback, private, link-local or
 * otherwise special address. Locally (`npm start`, tests: `local`), also `http:` to a loopback
 * address, so a push service on the same machine can receive them.
 */
import ipaddr from "ipaddr.js";
import { AppError } from "../errors.ts";

export type EndpointPolicy = "public" | "local";

/** Whether a resolved address is one the public internet routes (ipaddr.js's `unicast`; IPv4-mapped IPv6 judged as IPv4). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "unicast";
}

export function isLoopbackAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === "loopback";
}

/** A URL's host without IPv6 brackets. */
const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1");

/** Names that are this machine or its network whatever DNS says. */
const localName = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)\.?$/i;

/**
 * Whether the server may post to this endpoint, by its text alone: the scheme, and a host that
 * is an address literal must be a public one (or loopback over `http:` locally). A name is
 * checked again for what it resolves to at each connection (`mayConnectTo`).
 */
export function endpointRefusal(endpoint: string, policy: EndpointPolicy): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "endpoint must be a URL.";
  }
  if (url.username || url.password) return "endpoint must not carry credentials.";
  const host = bareHost(url);
  const literal = ipaddr.isValid(host);
  if (url.protocol === "http:") {
    if (policy === "local" && (literal ? isLoopbackAddress(host) : host.toLowerCase() === "localhost")) return null;
    return "endpoint must be an https: URL.";
  }
  if (url.protocol !== "https:") return "endpoint must be an https: URL.";
  if (literal ? !isPublicAddress(host) : localName.test(host)) {
    return policy === "local" && (literal ? isLoopbackAddress(host) : /^localhost\.?$/i.test(host)) ? null : "endpoint must be on the public internet.";
  }
  return null;
}

/** 400 unless the server may post to this endpoint. */
export function requireAllowedEndpoint(endpoint: string, policy: EndpointPolicy): void {
  const refusal = endpointRefusal(endpoint, policy);
  if (refusal) throw new AppError("invalid_request", refusal, { issues: [{ path: "endpoint", message: refusal }] });
}

/** At connection time: whether an address a name resolved to may be connected to under this policy. */
export const mayConnectTo = (address: string, policy: EndpointPolicy): boolean =>
  isPublicAddress(address) || (policy === "local" && isLoopbackAddress(address));
