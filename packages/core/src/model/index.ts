import { Entity, Service, type EntityItem } from "electrodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { users } from "./users.ts";
import { uniques } from "./uniques.ts";
import { servers } from "./servers.ts";
import { serverRoles } from "./serverRoles.ts";
import { auditEntries } from "./auditEntries.ts";
import { channels } from "./channels.ts";
import { members } from "./members.ts";
import { messages } from "./messages.ts";
import { invites } from "./invites.ts";
import { serverPasswords } from "./serverPasswords.ts";
import { dmConversations, dmInboxes, dmMessages } from "./dms.ts";
import { audiences, connections, subscriptions } from "./connections.ts";
import { rateLimits } from "./rateLimits.ts";
import { serverPurges } from "./serverPurges.ts";
import { channelPurges } from "./channelPurges.ts";
import { slowmodes } from "./slowmodes.ts";
import { sessions, wsTickets } from "./sessions.ts";
import { bans } from "./bans.ts";
import { liveSlots } from "./liveSlots.ts";
import { uploads } from "./uploads.ts";
import { reactions } from "./reactions.ts";
import { changes } from "./changes.ts";
import { mentions, readStates } from "./readStates.ts";
import { notifySettings, pushReceipts, pushSubscriptions } from "./notifications.ts";
import { webhooks } from "./webhooks.ts";
import { bots } from "./bots.ts";
import { searchPostings, searchProgress } from "./search.ts";
import { systemClock, type Clock } from "../store/time.ts";

export type { UniqueKind } from "./uniques.ts";

/**
 * The one ElectroDB `Service` over the one table, with the clock of the process that writes
 * through it (tests give writers skewed clocks, as Lambdas on different hosts have).
 */
export function createDb(client: DynamoDBDocumentClient, table: string, clock: Clock = systemClock) {
  const service = new Service(
    {
      users: new Entity(users),
      uniques: new Entity(uniques),
      servers: new Entity(servers),
      serverRoles: new Entity(serverRoles),
      auditEntries: new Entity(auditEntries),
      channels: new Entity(channels),
      members: new Entity(members),
      messages: new Entity(messages),
      invites: new Entity(invites),
      serverPasswords: new Entity(serverPasswords),
      dmConversations: new Entity(dmConversations),
      dmInboxes: new Entity(dmInboxes),
      dmMessages: new Entity(dmMessages),
      connections: new Entity(connections),
      subscriptions: new Entity(subscriptions),
      audiences: new Entity(audiences),
      rateLimits: new Entity(rateLimits),
      serverPurges: new Entity(serverPurges),
      sessions: new Entity(sessions),
      wsTickets: new Entity(wsTickets),
      bans: new Entity(bans),
      liveSlots: new Entity(liveSlots),
      uploads: new Entity(uploads),
      reactions: new Entity(reactions),
      changes: new Entity(changes),
      readStates: new Entity(readStates),
      mentions: new Entity(mentions),
      slowmodes: new Entity(slowmodes),
      channelPurges: new Entity(channelPurges),
      notifySettings: new Entity(notifySettings),
      pushSubscriptions: new Entity(pushSubscriptions),
      pushReceipts: new Entity(pushReceipts),
      webhooks: new Entity(webhooks),
      bots: new Entity(bots),
      searchPostings: new Entity(searchPostings),
      searchProgress: new Entity(searchProgress),
    },
    { client, table },
  );
  // The document client too: a read of items of several entities at once goes to it directly (store/readTogether.ts).
  return Object.assign(service, { clock, client });
}

export type Db = ReturnType<typeof createDb>;
type Entities = Db["entities"];
type WriteFunction = Parameters<Db["transaction"]["write"]>[0];
/** The entities a transaction's writes are built from, as ElectroDB hands them over (store/transactions.ts). */
export type WriteEntities = Parameters<WriteFunction>[0];
/** One write of a transaction: an entity operation ended by `.commit()`. */
export type Write = ReturnType<WriteFunction>[number];
export type UserItem = EntityItem<Entities["users"]>;
export type ServerItem = EntityItem<Entities["servers"]>;
export type ServerRolesItem = EntityItem<Entities["serverRoles"]>;
export type AuditEntryItem = EntityItem<Entities["auditEntries"]>;
export type ChannelItem = EntityItem<Entities["channels"]>;
export type MemberItem = EntityItem<Entities["members"]>;
export type MessageItem = EntityItem<Entities["messages"]>;
export type InviteItem = EntityItem<Entities["invites"]>;
export type ServerPasswordItem = EntityItem<Entities["serverPasswords"]>;
export type DmConversationItem = EntityItem<Entities["dmConversations"]>;
export type DmMessageItem = EntityItem<Entities["dmMessages"]>;
export type ConnectionItem = EntityItem<Entities["connections"]>;
export type SessionItem = EntityItem<Entities["sessions"]>;
export type WsTicketItem = EntityItem<Entities["wsTickets"]>;
export type BanItem = EntityItem<Entities["bans"]>;
export type SubscriptionItem = EntityItem<Entities["subscriptions"]>;
export type UploadItem = EntityItem<Entities["uploads"]>;
export type ReactionItem = EntityItem<Entities["reactions"]>;
export type ChangeItem = EntityItem<Entities["changes"]>;
export type ReadStateItem = EntityItem<Entities["readStates"]>;
export type WebhookItem = EntityItem<Entities["webhooks"]>;
export type BotItem = EntityItem<Entities["bots"]>;
export type MentionItem = EntityItem<Entities["mentions"]>;
export type NotifySettingItem = EntityItem<Entities["notifySettings"]>;
export type PushSubscriptionItem = EntityItem<Entities["pushSubscriptions"]>;
export type SearchPostingItem = EntityItem<Entities["searchPostings"]>;
export { EVERYONE } from "./readStates.ts";
