/**
 * The contract's objects (api.md "Objects"), and how each is drawn from the table's items.
 * Routes, the WebSocket handler and the web client all speak these types.
 */
import type {
  ChannelItem,
  DmConversationItem,
  DmMessageItem,
  InviteItem,
  MemberItem,
  MessageItem,
  ServerItem,
  ServerPasswordItem,
  UserItem,
} from "./model/index.ts";

export interface User { id: string; username: string; createdAt: string }
export interface Me extends User { email: string }
export interface Server { id: string; name: string; ownerId: string; createdAt: string }
export type Role = "owner" | "member";
export interface Channel { id: string; serverId: string; name: string; createdAt: string; lastMessageId: string | null }
export interface ServerDetail extends Server { channels: Channel[]; role: Role }
/** What channel and DM messages both carry beyond their conversation's ids. */
export interface MessageState {
  revision: number; nonce: string | null; mentions: string[]; mentionsEveryone: boolean;
}
export interface Message extends MessageState {
  id: string; channelId: string; serverId: string; authorId: string; author: User;
  content: string; createdAt: string; editedAt: string | null;
}
export interface Invite {
  code: string; serverId: string; creatorId: string; maxUses: number | null; uses: number;
  expiresAt: string | null; createdAt: string;
}
export interface InviteInfo {
  code: string; server: { id: string; name: string }; expiresAt: string | null; maxUses: number | null; uses: number;
}
export interface ServerPassword { id: string; serverId: string; label: string | null; expiresAt: string | null; createdAt: string }
export interface DmConversation {
  id: string; participants: [User, User]; createdAt: string; lastMessageAt: string | null; lastMessageId: string | null;
}
export interface DmMessage extends MessageState {
  id: string; conversationId: string; authorId: string; author: User;
  content: string; createdAt: string; editedAt: string | null;
}
export interface Member { user: User; role: Role; joinedAt: string; online: boolean }
/** A change in a conversation's feed (api.md "Change feeds"). */
export type Change<M> = { type: "message"; message: M } | { type: "message_deleted"; messageId: string };
export interface ChangesPage<M> { changes: Change<M>[]; cursor: string; hasMore: boolean }
/** Exactly one of `channelId` and `conversationId` is set. */
export interface ReadState {
  channelId: string | null; conversationId: string | null; lastReadMessageId: string | null; mentionCount: number;
}

export const userView = (u: Pick<UserItem, "userId" | "username" | "createdAt">): User => ({
  id: u.userId, username: u.username, createdAt: u.createdAt,
});
export const meView = (u: UserItem): Me => ({ ...userView(u), email: u.email });

export const serverView = (s: ServerItem): Server => ({
  id: s.serverId, name: s.name, ownerId: s.ownerId, createdAt: s.createdAt,
});
/** "My servers" come from memberships, which carry copies of the server's facts. */
export const serverFromMembership = (m: MemberItem): Server => ({
  id: m.serverId, name: m.serverName, ownerId: m.serverOwnerId, createdAt: m.serverCreatedAt,
});
export const channelView = (c: ChannelItem): Channel => ({
  id: c.channelId, serverId: c.serverId, name: c.name, createdAt: c.createdAt, lastMessageId: c.lastMessageId ?? null,
});

const author = (m: MessageItem | DmMessageItem): User => ({
  id: m.authorId, username: m.authorUsername, createdAt: m.authorCreatedAt,
});
// Messages stored before a field existed read as its starting value.
const messageState = (m: MessageItem | DmMessageItem): MessageState => ({
  revision: m.revision ?? 1, nonce: m.nonce ?? null, mentions: m.mentions ?? [], mentionsEveryone: m.mentionsEveryone ?? false,
});
export const messageView = (m: MessageItem): Message => ({
  id: m.messageId, channelId: m.channelId, serverId: m.serverId, authorId: m.authorId, author: author(m),
  content: m.content, createdAt: m.createdAt, editedAt: m.editedAt ?? null, ...messageState(m),
});
export const dmMessageView = (m: DmMessageItem): DmMessage => ({
  id: m.messageId, conversationId: m.conversationId, authorId: m.authorId, author: author(m),
  content: m.content, createdAt: m.createdAt, editedAt: m.editedAt ?? null, ...messageState(m),
});

export const inviteView = (i: InviteItem): Invite => ({
  code: i.code, serverId: i.serverId, creatorId: i.creatorId, maxUses: i.maxUses ?? null, uses: i.uses,
  expiresAt: i.expiresAt ?? null, createdAt: i.createdAt,
});
export const serverPasswordView = (p: ServerPasswordItem): ServerPassword => ({
  id: p.passwordId, serverId: p.serverId, label: p.label ?? null, expiresAt: p.expiresAt ?? null, createdAt: p.createdAt,
});
export const dmConversationView = (c: DmConversationItem): DmConversation => ({
  id: c.conversationId,
  participants: [c.first, c.second],
  createdAt: c.createdAt,
  lastMessageAt: c.lastMessageAt ?? null,
  lastMessageId: c.lastMessageId ?? null,
});
export const memberView = (m: MemberItem, online: boolean): Member => ({
  user: { id: m.userId, username: m.username, createdAt: m.userCreatedAt },
  role: m.role, joinedAt: m.joinedAt, online,
});
