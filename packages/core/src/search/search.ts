/**
 * The two searches of api.md "Search": a server's messages, over the channels the caller may
 * read now, and the caller's own DMs. Each names its scope (search/query.ts) and shows the page
 * as its conversations' history pages show messages.
 */
import type { Db, DmMessageItem, MessageItem } from "../model/index.ts";
import type { Stores } from "../attachments/files.ts";
import type { Message, DmMessage } from "../views.ts";
import { AppError } from "../errors.ts";
import { getEach } from "../store/batches.ts";
import { requireMember } from "../servers/access.ts";
import { memberGrants, overwritesOf, readRoles, serverGrants } from "../servers/grants.ts";
import { channelPermissions } from "../permissions/compute.ts";
import { has, PERMISSIONS } from "../permissions/bits.ts";
import { kinds } from "../conversations/kinds/all.ts";
import { showMessages } from "../conversations/pages.ts";
import type { ConversationKind, KindTypes } from "../conversations/kind.ts";
import { searchScope, type SearchFilters, type SeenPosting } from "./query.ts";

const READ = PERMISSIONS.VIEW_CHANNEL | PERMISSIONS.READ_MESSAGE_HISTORY;

/** The page, shown conversation by conversation as history shows it, kept newest first. */
async function show<T extends KindTypes>(stores: Stores, kind: ConversationKind<T>, viewerId: string, items: T["message"][], refOf: (m: T["message"]) => T["ref"]): Promise<T["view"][]> {
  const groups = new Map<string, T["message"][]>();
  for (const m of items) {
    const id = kind.id(refOf(m));
    groups.set(id, [...(groups.get(id) ?? []), m]);
  }
  const shown = (await Promise.all([...groups.values()].map((group) => showMessages(stores, kind, refOf(group[0]!), viewerId, group)))).flat();
  const order = new Map(items.map((m, i) => [m.messageId, i]));
  return shown.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/**
 * The channels of the server the member may read now: one Query of its channels (their
 * overwrites ride on them) beside the roles item, computed with permissions/compute.ts.
 */
async function readableChannels(db: Db, serverId: string, userId: string): Promise<{ readable: Set<string>; since: number }> {
  // Side by side: a non-member's reads of the other two are only wasted (the 404 comes first).
  const [member, roles, channels] = await Promise.all([requireMember(db, serverId, userId), readRoles(db, serverId), db.entities.channels.query.byServer({ serverId }).go({ pages: "all" })]);
  const server = serverGrants(member, roles);
  const grants = memberGrants(member);
  const now = db.clock.now();
  const readable = new Set(channels.data.filter((c) => has(channelPermissions(server, grants, overwritesOf(c), now), READ)).map((c) => c.channelId));
  return { readable, since: Date.parse(member.serverCreatedAt) };
}

export async function searchServerMessages(stores: Stores, userId: string, serverId: string, filters: SearchFilters): Promise<{ messages: Message[]; cursor: string | null }> {
  const { db } = stores;
  const { readable, since } = await readableChannels(db, serverId, userId);
  const page = await searchScope<MessageItem>(db, {
    scope: serverId,
    since,
    readable: (channelId) => readable.has(channelId),
    load: (postings: SeenPosting[]) =>
      getEach(
        postings.map((p) => ({ channelId: p.conversationId, messageId: p.messageId })),
        (keys) => db.entities.messages.get(keys).go(),
      ).then((found) => found.filter((m) => m.serverId === serverId)),
    conversationOf: (m) => m.channelId,
  }, filters);
  return { messages: await show(stores, kinds.channel, userId, page.messages, (m) => ({ serverId: m.serverId, channelId: m.channelId })), cursor: page.cursor };
}

export async function searchDmMessages(stores: Stores, userId: string, filters: SearchFilters): Promise<{ messages: DmMessage[]; cursor: string | null }> {
  const { db } = stores;
  const user = (await db.entities.users.get({ userId }).go({ attributes: ["createdAt"] })).data;
  if (!user) throw new AppError("unauthorized");
  // The scope is the caller's own: every posting under it is of a DM they take part in.
  const page = await searchScope<DmMessageItem>(db, {
    scope: userId,
    since: Date.parse(user.createdAt),
    readable: () => true,
    load: (postings) =>
      getEach(
        postings.map((p) => ({ conversationId: p.conversationId, messageId: p.messageId })),
        (keys) => db.entities.dmMessages.get(keys).go(),
      ),
    conversationOf: (m) => m.conversationId,
  }, filters);
  return { messages: await show(stores, kinds.dm, userId, page.messages, (m) => ({ conversationId: m.conversationId })), cursor: page.cursor };
}
