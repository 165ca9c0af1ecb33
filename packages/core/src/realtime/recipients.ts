/** Who a push goes to: the recipient lists the publisher fans events out to. */
import type { Db } from "../model/index.ts";
import { getEach } from "../store/batches.ts";

/**
 * A recipient of a push: the connection to post to, whose it is (to skip the actor's own), and
 * when its token expires (epoch seconds; absent on items from before it was copied), past which
 * nothing is delivered to it.
 */
export interface Recipient {
  connectionId: string;
  userId: string;
  sessionExpiresAt?: number | undefined;
}

/**
 * The connections subscribed to a channel. The subscriptions share the channel's partition, so
 * this is a strongly consistent Query: a `subscribed` reply means the next message reaches it.
 */
export async function channelRecipients(db: Db, channelId: string): Promise<Recipient[]> {
  const { data } = await db.entities.subscriptions.query
    .byChannel({ channelId })
    .go({ pages: "all", consistent: true, attributes: ["connectionId", "userId", "sessionExpiresAt"] });
  return data;
}

/** Every open connection of these users: one Query per user on the connections' user index. */
export async function userRecipients(db: Db, userIds: readonly string[]): Promise<Recipient[]> {
  const pages = await Promise.all(
    [...new Set(userIds)].map((userId) =>
      db.entities.connections.query.byUser({ userId }).go({ pages: "all", attributes: ["connectionId", "userId", "sessionExpiresAt"] }),
    ),
  );
  return pages.flatMap((p) => p.data);
}

/** The connections subscribed to any channel of a server, each once; the first `atMost` subscriptions' worth when bounded. */
export async function serverRecipients(db: Db, serverId: string, atMost?: number): Promise<Recipient[]> {
  const { data } = await db.entities.subscriptions.query
    .byServer({ serverId })
    .go({ attributes: ["connectionId", "userId", "sessionExpiresAt"], ...(atMost === undefined ? { pages: "all" as const } : { count: atMost }) });
  return [...new Map(data.map((r) => [r.connectionId, r])).values()];
}

/** The servers whose listeners hear a user's presence: the `atMost` they joined most recently. */
export async function serversOf(db: Db, userId: string, atMost: number): Promise<string[]> {
  const { data } = await db.entities.members.query.byUser({ userId }).go({ order: "desc", count: atMost, attributes: ["serverId"] });
  return data.map((m) => m.serverId);
}


/**
 * The other participants of the user's `atMost` most recently active direct conversations: one
 * Query of their inbox, one BatchGetItem of the conversations (participants only).
 */
export async function dmPartnersOf(db: Db, userId: string, atMost: number): Promise<string[]> {
  const { data: inbox } = await db.entities.dmInboxes.query.recent({ userId }).go({ order: "desc", count: atMost, attributes: ["conversationId"] });
  if (!inbox.length) return [];
  const conversations = await getEach(
    inbox.map(({ conversationId }) => ({ conversationId })),
    (keys) => db.entities.dmConversations.get(keys).go({ attributes: ["conversationId", "first", "second"] }),
  );
  return [...new Set(conversations.map((c) => (c.first.id === userId ? c.second.id : c.first.id)))];
}

/**
 * Who hears about a user (presence, profile changes): the listeners of the servers they joined
 * most recently, and every connection of the people they talk to in their most recent direct
 * conversations. Both bounded (realtimeLimits), so one change costs a bounded fan-out.
 */
export async function presenceAudience(db: Db, userId: string, limits: { presenceServers: number; presenceDmPartners: number }): Promise<{ serverIds: string[]; userIds: string[] }> {
  const [serverIds, userIds] = await Promise.all([serversOf(db, userId, limits.presenceServers), dmPartnersOf(db, userId, limits.presenceDmPartners)]);
  return { serverIds, userIds };
}
