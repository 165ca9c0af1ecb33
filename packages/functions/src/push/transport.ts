/**
 * Sends one push (RFC 8030) to one subscription: the payload encrypted with `aes128gcm` (RFC
 * 8291) and signed for VAPID (RFC 8292) by the maintained `web-push` library, whose request
 * this module makes itself, so that it can hold the connection to the endpoint rules
 * (core/notifications/endpoints.ts): the endpoint's text is checked again, and every address its
 * name resolves to is checked at the moment of connecting (a DNS answer that changed since the
 * endpoint was registered cannot point the request into the network). Locally that rule also
 * lets `http:` reach a loopback push service, which `web-push`'s own sender (https only) cannot.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import webpush from "web-push";
import { endpointRefusal, mayConnectTo, type EndpointPolicy } from "@agorusta/core/notifications";
import type { PushPayload } from "@agorusta/core/views";
import type { PushSetup } from "./setup.ts";

/** What became of one push: delivered, the subscription is gone for good (404/410, or unusable), or it failed this time. */
export type PushOutcome = "sent" | "gone" | "failed";

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushSender {
  send(target: PushTarget, payload: PushPayload): Promise<PushOutcome>;
}

/** How long a push service may keep a push for an offline device: a day, after which a chat message is old news. */
const TTL_SECONDS = 24 * 3600;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup that refuses a name resolving to any address the policy forbids. */
export function guardedLookup(policy: EndpointPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => !mayConnectTo(a.address, policy));
      if (refused || !addresses.length) {
        const e: NodeJS.ErrnoException = new Error(`push: ${hostname} resolves to ${refused?.address ?? "nothing"}, which is not allowed`);
        e.code = "EPUSHADDRESS";
        return callback(e, []);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export function createPushSender(setup: PushSetup, options: { timeoutMs?: number } = {}): PushSender {
  const { timeoutMs = 10_000 } = options;
  const lookup = guardedLookup(setup.endpoints);
  return {
    async send(target, payload) {
      if (endpointRefusal(target.endpoint, setup.endpoints)) return "gone";
      let details: webpush.RequestDetails;
      try {
        details = webpush.generateRequestDetails(
          { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
          JSON.stringify(payload),
          { vapidDetails: setup.vapid, contentEncoding: "aes128gcm", TTL: TTL_SECONDS, urgency: "high" },
        );
      } catch (e) {
        // Keys no push can be encrypted to (not a point of the curve): no later try can work either.
        console.warn("push: a subscription's keys cannot be used; it is removed:", (e as Error).message);
        return "gone";
      }
      const url = new URL(details.endpoint);
      const init: RequestOptions = {
        method: details.method,
        headers: { ...details.headers, "content-length": String(details.body?.length ?? 0) },
        lookup: lookup as RequestOptions["lookup"],
        timeout: timeoutMs,
      };
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = (url.protocol === "http:" ? httpRequest : httpsRequest)(url, init, (res: IncomingMessage) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode ?? 0));
            res.on("error", reject);
          });
          req.on("timeout", () => req.destroy(new Error(`push: no answer within ${timeoutMs} ms`)));
          req.on("error", reject);
          req.end(details.body ?? undefined);
        });
        if (status >= 200 && status < 300) return "sent";
        if (status === 404 || status === 410) return "gone";
        console.warn(`push: ${url.host} answered ${status}`);
        return "failed";
      } catch (e) {
        console.warn(`push: ${url.host} not reached:`, (e as Error).message);
        return "failed";
      }
    },
  };
}
