/**
 * The names `infra/` gives the resources it links to the Lambdas. They are the keys of sst's
 * `Resource` at run time, so infra and `config.ts` both read them from here. Plain data: the
 * SST config imports this module too.
 */
export const links = {
  table: "Table",
  jwtSecret: "JwtSecret",
  realtime: "Realtime",
  purgeQueue: "ServerPurges",
  expiryQueue: "ConnectionExpiries",
  fanout: "Fanout",
  files: "Files",
  pushQueue: "Pushes",
  vapidKey: "VapidPrivateKey",
} as const;

/**
 * What each link carries (the `properties` of the component's `getSSTLink()`, checked against
 * SST's own types in `infra/checks.ts`).
 */
export interface LinkedResources {
  [links.table]: { name: string };
  [links.jwtSecret]: { value: string };
  [links.realtime]: { url: string; managementEndpoint: string };
  [links.purgeQueue]: { url: string };
  /** Linked to the WebSocket Lambda (which schedules closes) and to the queue's consumer (which schedules the next hop). */
  [links.expiryQueue]: { url: string };
  /** `url` and `qualifier` are set only for functions with a URL or durable executions; the Fanout Lambda has neither. */
  [links.fanout]: { name: string; url?: string; qualifier?: string };
  /** Linked to the API Lambda only: the WebSocket Lambda never touches files. */
  [links.files]: { name: string };
  /** Linked to the API Lambda (which queues a new message's pushes) and to the queue's consumer. */
  [links.pushQueue]: { url: string };
  /** The stage's VAPID private key (push/setup.ts): the API derives the public key from it, the consumer signs with it. */
  [links.vapidKey]: { value: string };
}
