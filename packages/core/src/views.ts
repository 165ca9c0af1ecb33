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
  WebhookItem,
} from "./model/index.ts";
import type { Role } from "./permissions/policy.ts";

/** `avatarUrl`: a signed GET URL of the user's current avatar (stable within an hour, so cacheable), or null. */
/** `bot`: a bot user, or a webhook as a message's author (api.md "Integrations"). */
export interface User { id: string; username: string; createdAt: string; avatarUrl: string | null; bot: boolean }
export interface Me extends User { email: string }
export interface Server { id: string; name: string; ownerId: string; createdAt: string; iconUrl: string | null }
/** Defined by the permissions policy, beside the questions it answers about it. */
export type { Role };
/** An overwrite of a channel's permissions for a role (`@everyone`'s id is the server's) or a member; allow and deny: decimal strings. */
export interface Overwrite { id: string; type: "role" | "member"; allow: string; deny: string }
/**
 * `permissions`: the caller's, computed (decimal string). An event about a channel goes to many
 * people at once and leaves it out: a client computes its own from `overwrites` (permissions/compute.ts).
 */
export interface Channel {
  id: string; serverId: string; name: string; createdAt: string; lastMessageId: string | null;
  type: "text" | "category"; parentId: string | null; position: number; topic: string | null; slowmodeSeconds: number;
  overwrites: Overwrite[]; permissions?: string;
}
export interface ServerDetail extends Server, ServerRoles { channels: Channel[]; role: Role }
/** The message replied to, as it was when the reply was sent. */
export interface ReplyRef { id: string; author: User; excerpt: string }
/** `me`: whether the caller reacted with it. */
export interface Reaction { emoji: string; count: number; me: boolean }
/** `url`: a signed GET, valid at least an hour; `width`/`height` for images (read server-side), else null. */
export interface Attachment {
  id: string; filename: string; contentType: string; size: number; url: string;
  width: number | null; height: number | null;
}
/** Where to PUT a file's bytes, with exactly `headers`, before `expiresAt`. */
export interface Upload { id: string; uploadUrl: string; method: "PUT"; headers: Record<string, string>; expiresAt: string }
/** What a channel message and a DM message both show. */
interface MessageExtras { replyTo: ReplyRef | null; reactions: Reaction[]; attachments: Attachment[] }
/** What channel and DM messages both carry beyond their conversation's ids. */
export interface MessageState {
  revision: number; nonce: string | null; mentions: string[]; mentionsEveryone: boolean;
}
export interface Message extends MessageState, MessageExtras {
  id: string; channelId: string; serverId: string; authorId: string; author: User;
  content: string; createdAt: string; editedAt: string | null;
  /** The webhook that posted it (its author is then the webhook: `{id: webhookId, username, bot: true}`), else null. */
  webhookId: string | null;
  /** The roles `@rolename` mentions (api.md "Role mentions"); [] on messages stored before roles. */
  mentionRoles: string[];
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
export interface DmMessage extends MessageState, MessageExtras {
  id: string; conversationId: string; authorId: string; author: User;
  content: string; createdAt: string; editedAt: string | null;
}
export interface Member extends MemberRoles { user: User; role: Role; joinedAt: string; online: boolean }
/** A change in a conversation's feed (api.md "Change feeds"). */
export type Change<M> = { type: "message"; message: M } | { type: "message_deleted"; messageId: string };
export interface ChangesPage<M> {
  changes: Change<M>[]; cursor: string; hasMore: boolean;
  /** Asked with `newest`: the newest messages, oldest first, read after the head `cursor` names. */
  messages?: M[];
}
/** Exactly one of `channelId` and `conversationId` is set. */
export interface ReadState {
  channelId: string | null; conversationId: string | null; lastReadMessageId: string | null; mentionCount: number;
}

export const userView = (u: Pick<UserItem, "userId" | "username" | "createdAt"> & { bot?: boolean | undefined }, avatarUrl: string | null = null): User => ({
  id: u.userId, username: u.username, createdAt: u.createdAt, avatarUrl, bot: u.bot ?? false,
});
export const meView = (u: UserItem, avatarUrl: string | null = null): Me => ({ ...userView(u, avatarUrl), email: u.email });

export const serverView = (s: ServerItem, iconUrl: string | null = null): Server => ({
  id: s.serverId, name: s.name, ownerId: s.ownerId, createdAt: s.createdAt, iconUrl,
});
/** "My servers" come from memberships, which carry copies of the server's facts (the icon, which changes, is looked up). */
export const serverFromMembership = (m: MemberItem, iconUrl: string | null = null): Server => ({
  id: m.serverId, name: m.serverName, ownerId: m.serverOwnerId, createdAt: m.serverCreatedAt, iconUrl,
});
/** A channel; with `permissions`, as the caller sees it (REST), without, as an event tells everyone. Older channels: text, top level, position 0. */
export const channelView = (c: ChannelItem, permissions?: bigint): Channel => ({
  id: c.channelId, serverId: c.serverId, name: c.name, createdAt: c.createdAt, lastMessageId: c.lastMessageId ?? null,
  type: c.type ?? "text", parentId: c.parentId ?? null, position: c.position ?? 0, topic: c.topic ?? null,
  slowmodeSeconds: c.slowmodeSeconds ?? 0, overwrites: (c.overwrites ?? []).map(({ id, type, allow, deny }) => ({ id, type, allow, deny })),
  ...(permissions === undefined ? {} : { permissions: permissions.toString(10) }),
});

/**
 * What a message's view needs beyond its item, resolved for a whole page at once
 * (attachments/present.ts): current avatars, signed file URLs, and the viewer's own reactions.
 */
export interface MessageLinks {
  avatar(userId: string): string | null;
  file(attachment: { key: string; filename: string; contentType: string }): string;
  reacted(messageId: string, emoji: string): boolean;
}

/**
 * Text people typed, as it is shown: well-formed. What the API takes now always is (schemas.ts);
 * an item stored before that, or written around the API, may hold a lone surrogate, which a
 * strict JSON reader refuses: it is shown with U+FFFD in its place.
 */
const shown = (s: string) => s.toWellFormed();

/** The attachment's `Content-Disposition` and URL rules live with the file store; views only look URLs up. */
function extras(m: MessageItem | DmMessageItem, links: MessageLinks): MessageExtras {
  const r = m.replyTo;
  return {
    replyTo: r
      ? { id: r.messageId, excerpt: shown(r.excerpt), author: { id: r.authorId, username: r.authorUsername, createdAt: r.authorCreatedAt, avatarUrl: links.avatar(r.authorId), bot: r.authorBot ?? false } }
      : null,
    reactions: (m.reactions ?? []).map((x) => ({ emoji: x.emoji, count: x.count, me: links.reacted(m.messageId, x.emoji) })),
    attachments: (m.attachments ?? []).map((a) => ({
      id: a.id, filename: shown(a.filename), contentType: a.contentType, size: a.size, url: links.file(a),
      width: a.width ?? null, height: a.height ?? null,
    })),
  };
}
const author = (m: MessageItem | DmMessageItem, links: MessageLinks): User => ({
  id: m.authorId, username: m.authorUsername, createdAt: m.authorCreatedAt, avatarUrl: links.avatar(m.authorId), bot: m.authorBot ?? false,
});
// Messages stored before a field existed read as its starting value.
const messageState = (m: MessageItem | DmMessageItem): MessageState => ({
  revision: m.revision ?? 1, nonce: m.nonce ?? null, mentions: m.mentions ?? [], mentionsEveryone: m.mentionsEveryone ?? false,
});
export const messageView = (m: MessageItem, links: MessageLinks): Message => ({
  id: m.messageId, channelId: m.channelId, serverId: m.serverId, authorId: m.authorId, author: author(m, links),
  content: shown(m.content), createdAt: m.createdAt, editedAt: m.editedAt ?? null, ...messageState(m), mentionRoles: m.mentionRoles ?? [],
  webhookId: m.webhookId ?? null,
  ...extras(m, links),
});
export const dmMessageView = (m: DmMessageItem, links: MessageLinks): DmMessage => ({
  id: m.messageId, conversationId: m.conversationId, authorId: m.authorId, author: author(m, links),
  content: shown(m.content), createdAt: m.createdAt, editedAt: m.editedAt ?? null, ...messageState(m), ...extras(m, links),
});

export const inviteView = (i: InviteItem): Invite => ({
  code: i.code, serverId: i.serverId, creatorId: i.creatorId, maxUses: i.maxUses ?? null, uses: i.uses,
  expiresAt: i.expiresAt ?? null, createdAt: i.createdAt,
});
export const serverPasswordView = (p: ServerPasswordItem): ServerPassword => ({
  id: p.passwordId, serverId: p.serverId, label: p.label ?? null, expiresAt: p.expiresAt ?? null, createdAt: p.createdAt,
});
export const dmConversationView = (c: DmConversationItem, avatar: (userId: string) => string | null = () => null): DmConversation => ({
  id: c.conversationId,
  participants: [
    { ...c.first, avatarUrl: avatar(c.first.id), bot: c.first.bot ?? false },
    { ...c.second, avatarUrl: avatar(c.second.id), bot: c.second.bot ?? false },
  ],
  createdAt: c.createdAt,
  lastMessageAt: c.lastMessageAt ?? null,
  lastMessageId: c.lastMessageId ?? null,
});
/** A member who has just joined: no roles yet, no timeout. */
export const JOINED: MemberRoles = { roles: [], timeoutUntil: null };
/** `roles`: servers/memberUpdates.ts `memberRolesView` over the server's roles item, or `JOINED`. */
export const memberView = (m: MemberItem, online: boolean, avatarUrl: string | null, roles: MemberRoles): Member => {
  // A membership is written whole by one transaction; one missing these was not, and a client
  // would fail on it (a username that is not text): the roster leaves it out (roster.ts).
  if (typeof m.username !== "string" || typeof m.joinedAt !== "string" || (m.role !== "owner" && m.role !== "member")) {
    throw new Error(`membership ${m.serverId}/${m.userId} is incomplete`);
  }
  return {
    user: { id: m.userId, username: m.username, createdAt: m.userCreatedAt, avatarUrl, bot: m.bot ?? false },
    role: m.role, joinedAt: m.joinedAt, online, ...roles,
  };
};

/*
 * Communities: roles, permissions, moderation (api.md). The objects as the web app reads them.
 * Every route fills the fields the contract adds; only `Channel.permissions` is optional, since
 * a channel's events go to many people at once and leave it out (see `Channel`).
 */
export interface ServerRole {
  id: string; serverId: string; name: string; color: number | null; position: number; permissions: string;
  hoist: boolean; mentionable: boolean; createdAt: string;
}
export interface AuditEntry {
  id: string; serverId: string; actorId: string; action: string; targetId: string | null;
  changes: Record<string, unknown> | null; reason: string | null; createdAt: string;
}
export type ChannelType = Channel["type"];
export interface ServerRoles {
  roles: ServerRole[];
  /** The caller's base permissions (decimal). */
  permissions: string;
}
export interface MemberRoles {
  /** Role ids, `@everyone` left out. */
  roles: string[];
  timeoutUntil: string | null;
}

/*
 * Reaching people who are not looking (api.md): an account's notification settings, and what a
 * push carries (the service worker shows it).
 */
export interface ServerNotify { level: "all" | "mentions" | "nothing"; muted: boolean; mutedUntil: string | null }
export interface ChannelNotify { level: "default" | "all" | "mentions" | "nothing"; muted: boolean }
export interface NotificationSettings { servers: Record<string, ServerNotify>; channels: Record<string, ChannelNotify>; dmsMuted: boolean }
/** A Web Push's payload: `url` is the web app's path to the message (`…#message-<id>`); `tag` groups a conversation's. */
export interface PushPayload { type: "message"; title: string; body: string; url: string; tag: string }
/**
 * An incoming webhook (api.md "Incoming webhooks"). `token` (and the `url` built from it) only in
 * the answer that created it: only its hash is kept. `avatarUrl`: null (an execution's
 * `avatar_url` is not stored).
 */
export interface Webhook {
  id: string; serverId: string; channelId: string; name: string; avatarUrl: string | null; creatorId: string; createdAt: string;
  token?: string; url?: string;
}
export const webhookView = (w: WebhookItem): Webhook => ({
  id: w.webhookId, serverId: w.serverId, channelId: w.channelId, name: w.name, avatarUrl: null, creatorId: w.creatorId, createdAt: w.createdAt,
});
