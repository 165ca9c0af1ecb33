/**
 * The WebSocket limits of api.md "Sessions and safety", and the bounds on what one presence
 * change may fan out (docs/decisions.md, "Realtime caps", says why each number).
 */
export const realtimeLimits: RealtimeLimits = {
  /** Open connections per user; the next handshake is refused with 429. */
  connectionsPerUser: 20,
  /** Channel subscriptions per connection; the next subscribe gets `limit_reached`. */
  subscriptionsPerConnection: 100,
  /** `typing` from one connection to one channel is relayed at most once per this long. */
  typingIntervalMs: 3000,
  /** Presence changes of one user announced per minute; a user flapping faster is announced no more. */
  presencePerMinute: 10,
  /** Servers one presence change is announced in: the user's most recently joined. */
  presenceServers: 50,
  /** Connections one presence change is posted to, across those servers. */
  presenceRecipients: 2000,
  /** Direct conversations (the most recently active) whose other participant hears a presence or profile change too. */
  presenceDmPartners: 50,
};

export interface RealtimeLimits {
  connectionsPerUser: number;
  subscriptionsPerConnection: number;
  typingIntervalMs: number;
  presencePerMinute: number;
  presenceServers: number;
  presenceRecipients: number;
  presenceDmPartners: number;
}

/**
 * `AGORUSTA_RATE_LIMITS=off` (load tests): the contract's WebSocket limits are lifted with the
 * rest of its list. The presence bounds stay: they bound what one change may fan out, which is
 * the system's protection, not a limit on a person.
 */
export const realtimeLimitsFor = (usage: "off" | object): RealtimeLimits =>
  usage === "off"
    ? { ...realtimeLimits, connectionsPerUser: Number.MAX_SAFE_INTEGER, subscriptionsPerConnection: Number.MAX_SAFE_INTEGER, typingIntervalMs: 0 }
    : realtimeLimits;
