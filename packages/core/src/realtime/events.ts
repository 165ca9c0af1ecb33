/**
 * What the server pushes over WebSocket (api.md "WebSocket protocol" and "Beyond the seed"),
 * and the one interface the REST routes use to push it. Delivery is the realtime module's
 * business; routes only say what happened and to whom, after it is stored.
 */
import type { Channel, DmMessage, Member, Message, ReadState, Server, ServerRole, User } from "../views.ts";
import type { ErrorCode } from "../errors.ts";
import type { ReadBatch } from "../store/readBatch.ts";
import type { ChannelItem } from "../model/index.ts";

/**
 * Every event about a message carries `cursor`: its conversation's feed position right after
 * that change, for `GET …/changes?since=` after a reconnect (api.md "Change feeds").
 */
export type ServerEvent =
  | { type: "new_message"; message: Message; cursor: string }
  | { type: "message_updated"; message: Message; cursor: string }
  | { type: "message_deleted"; channelId: string; messageId: string; cursor: string }
  | { type: "new_dm_message"; message: DmMessage; cursor: string }
  | { type: "dm_message_updated"; message: DmMessage; cursor: string }
  | { type: "dm_message_deleted"; conversationId: string; messageId: string; cursor: string }
  /** To the server's whole-server subscribers, for every message created in any of its channels. */
  | {
      type: "channel_activity";
      serverId: string;
      channelId: string;
      messageId: string;
      authorId: string;
      mentions: string[];
      mentionsEveryone: boolean;
    }
  /** To every connection of the reader, when any of their devices moves a read position. */
  | ({ type: "read_state" } & ReadState)
  | { type: "member_joined"; serverId: string; member: Member }
  | { type: "member_left"; serverId: string; userId: string }
  | { type: "channel_created"; channel: Channel }
  | { type: "server_deleted"; serverId: string }
  | { type: "role_created" | "role_updated"; serverId: string; role: ServerRole }
  | { type: "role_deleted"; serverId: string; roleId: string }
  /** A channel renamed, moved, given a topic, a slowmode or other overwrites (api.md "Roles, channels, moderation"). */
  | { type: "channel_updated"; channel: Channel }
  /** To everyone who saw a deleted channel, and to a member who can no longer see one (permissions changed). */
  | { type: "channel_deleted"; serverId: string; channelId: string }
  | { type: "member_updated"; serverId: string; member: Member }
  | { type: "server_updated"; server: Server }
  | { type: "typing"; channelId: string; user: User }
  /** To the other participant's connections (docs/decisions.md, "People"). */
  | { type: "dm_typing"; conversationId: string; user: User }
  | { type: "presence"; userId: string; online: boolean }
  /** A user's public facts changed (their avatar): to the presence audience (docs/decisions.md, "People"). */
  | { type: "user_updated"; user: User }
  | ReactionEvent;

/** A reaction added or removed (api.md "Reactions"); `count` is the emoji's count after the change. */
export type ReactionEvent =
  | ({ type: "reaction_added" | "reaction_removed"; channelId: string } & ReactionChange)
  | ({ type: "dm_reaction_added" | "dm_reaction_removed"; conversationId: string } & ReactionChange);
interface ReactionChange { messageId: string; emoji: string; userId: string; count: number; cursor?: string }

/** Frames the server answers a client's action with. */
export type ReplyFrame =
  // Each names a channel or a whole server; `?: never` lets a client read either field of any of them.
  | { type: "subscribed" | "unsubscribed"; channelId: string; serverId?: never }
  | { type: "subscribed" | "unsubscribed"; serverId: string; channelId?: never }
  | { type: "pong" }
  /** `channelId` / `serverId` name what a refused subscribe was for, so a client subscribing to several can tell which. */
  | { type: "error"; code: ErrorCode; message: string; channelId?: string; serverId?: string };

export type Frame = ServerEvent | ReplyFrame;

/**
 * Pushes events to open connections. Every method resolves (never rejects) once delivery has
 * been attempted, within a bounded time, so a slow or dead connection cannot fail or stall a request.
 */
/**
 * An event, or one still being stored: the publisher looks up who hears it meanwhile and posts
 * once it resolves. `null` (or a rejection, which the caller handles) means nothing to tell.
 */
export type PendingEvent = ServerEvent | Promise<ServerEvent | null>;

/**
 * Who hears of a change in a channel: its own subscribers, or (`wholeServer`) its server's
 * whole-server subscribers (`channel_activity`); either way only members who can see the channel.
 */
export interface ChannelAudience {
  serverId: string;
  channelId: string;
  wholeServer?: boolean | undefined;
}

/**
 * A server-level event about one channel (`channel_created`, `channel_updated`, `channel_deleted`):
 * only members who can see the channel hear of it, and, with `as`, each in the form that carries
 * their own permissions there (`Channel.permissions`).
 */
export interface AboutChannel {
  /** The channel's overwrites; for a deletion, those it had. */
  overwrites: ChannelItem["overwrites"];
  /** The event as a member with these permissions in the channel (decimal string) sees it. */
  as?: (permissions: string) => ServerEvent;
}

export interface Publisher {
  /**
   * To every connection of the audience (a channel's subscribers, or its server's whole-server
   * subscribers) whose member can see the channel. `exceptUserId` skips that user's connections (typing).
   * The event may still be on its way to the table: the audience's lookup runs beside the store,
   * its reads joined to `batch` when given (called before whatever sends `batch` starts), else on their own.
   */
  toChannel(audience: ChannelAudience, event: PendingEvent, options?: { exceptUserId?: string; batch?: ReadBatch }): Promise<void>;
  /**
   * To every connection subscribed to any channel of the server (or of any of these servers),
   * each once, plus every connection of `alsoUserIds`. `maxRecipients` bounds the subscribed
   * connections read and posted to (presence: realtimeLimits). About one channel (one server):
   * only to members who can see it (`alsoUserIds` too): `channel_created` and `channel_updated`
   * by the overwrites they carry, any other event by `channel`'s (`channel_deleted`: those it had).
   */
  toServer(
    serverId: string | readonly string[],
    event: ServerEvent,
    options?: { alsoUserIds?: string[]; maxRecipients?: number; channel?: AboutChannel },
  ): Promise<void>;
  /** To every connection of these users (DMs). */
  toUsers(userIds: string[], event: ServerEvent): Promise<void>;
  /**
   * To one connection (or each of these, once): the WebSocket handler's replies; a member's own news. They are posted, not returned as a route
   * response, so the deployed API needs no two-way route configuration (docs/decisions.md).
   */
  toConnection(connectionId: string | readonly string[], frame: Frame): Promise<void>;
  /**
   * Closes these connections (`@connections` DeleteConnection), once what was posted to them before
   * is on its way: a removed member's sockets (they must resubscribe under the membership check),
   * or those of a session that ended. Each then gets its `$disconnect`; one already gone is forgotten here.
   */
  disconnect(connectionIds: readonly string[]): Promise<void>;
}

/** For processes with no WebSocket API (and tests of REST alone). */
export const silentPublisher: Publisher = {
  toChannel: async () => {},
  toServer: async () => {},
  toUsers: async () => {},
  toConnection: async () => {},
  disconnect: async () => {},
};
