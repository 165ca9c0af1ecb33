/**
 * What the server pushes over WebSocket (api.md "WebSocket protocol" and "Beyond the seed"),
 * and the one interface the REST routes use to push it. Delivery is the realtime module's
 * business; routes only say what happened and to whom, after it is stored.
 */
import type { Channel, DmMessage, Member, Message, User } from "../views.ts";
import type { ErrorCode } from "../errors.ts";

export type ServerEvent =
  | { type: "new_message"; message: Message }
  | { type: "message_updated"; message: Message }
  | { type: "message_deleted"; channelId: string; messageId: string }
  | { type: "new_dm_message"; message: DmMessage }
  | { type: "dm_message_updated"; message: DmMessage }
  | { type: "dm_message_deleted"; conversationId: string; messageId: string }
  | { type: "member_joined"; serverId: string; member: Member }
  | { type: "member_left"; serverId: string; userId: string }
  | { type: "channel_created"; channel: Channel }
  | { type: "server_deleted"; serverId: string }
  | { type: "typing"; channelId: string; user: User }
  | { type: "presence"; userId: string; online: boolean };

/** Frames the server answers a client's action with. */
export type ReplyFrame =
  | { type: "subscribed"; channelId: string }
  | { type: "unsubscribed"; channelId: string }
  | { type: "pong" }
  /** `channelId` names the channel of a refused subscribe, so a client subscribing to several can tell which. */
  | { type: "error"; code: ErrorCode; message: string; channelId?: string };

export type Frame = ServerEvent | ReplyFrame;

/**
 * Pushes events to open connections. Every method resolves (never rejects) once delivery has
 * been attempted, within a bounded time, so a slow or dead connection cannot fail or stall a request.
 */
export interface Publisher {
  /** To every connection subscribed to the channel. `exceptUserId` skips that user's connections (typing). */
  toChannel(channelId: string, event: ServerEvent, options?: { exceptUserId?: string }): Promise<void>;
  /**
   * To every connection subscribed to any channel of the server (or of any of these servers),
   * each once, plus every connection of `alsoUserIds`.
   */
  toServer(serverId: string | readonly string[], event: ServerEvent, options?: { alsoUserIds?: string[] }): Promise<void>;
  /** To every connection of these users (DMs). */
  toUsers(userIds: string[], event: ServerEvent): Promise<void>;
  /**
   * To one connection: the WebSocket handler's replies. They are posted, not returned as a route
   * response, so the deployed API needs no two-way route configuration (docs/decisions.md).
   */
  toConnection(connectionId: string, frame: Frame): Promise<void>;
  /**
   * Closes these connections (`@connections` DeleteConnection): their session ended. Each then
   * gets its `$disconnect`, which forgets it; one already gone is forgotten here.
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
