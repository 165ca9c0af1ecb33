import type { Db, MessageItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { assertCommitted, transact } from "../store/transactions.ts";
import { readHistory, type HistoryWindow } from "./history.ts";
import { requireMember } from "../servers/access.ts";
import { assertAuthor, saveEdit } from "./edits.ts";
import { messageView, type Message } from "../views.ts";

/** The caller's membership and the channel (which must belong to the server), read in parallel. */
async function memberInChannel(db: Db, serverId: string, channelId: string, userId: string) {
  const [member, channel] = await Promise.all([
    db.entities.members.get({ serverId, userId }).go(),
    db.entities.channels.get({ serverId, channelId }).go(),
  ]);
  if (!member.data) throw new AppError("not_found", "No such server.");
  if (!channel.data) throw new AppError("not_found", "No such channel.");
  return member.data;
}

/** Stores a message; the author's name and creation date are copied from the membership. */
export async function sendMessage(
  db: Db,
  input: { serverId: string; channelId: string; userId: string; content: string },
): Promise<Message> {
  const member = await memberInChannel(db, input.serverId, input.channelId, input.userId);
  const message: MessageItem = {
    messageId: newId(),
    channelId: input.channelId,
    serverId: input.serverId,
    authorId: member.userId,
    authorUsername: member.username,
    authorCreatedAt: member.userCreatedAt,
    content: input.content,
    createdAt: nowIso(),
  };
  // With the condition that the server still exists: a message racing the server's deletion is
  // either refused or stored before the retirement, where the purge (which starts after) finds it.
  const refused = await transact(db, ({ servers, messages }) => ({
    server: servers.check({ serverId: input.serverId }).where((a, op) => op.exists(a.name)).commit(),
    message: messages.create(message).commit(),
  }));
  if (refused.has("server")) throw new AppError("not_found", "No such server.");
  assertCommitted(refused, "sendMessage");
  return messageView(message);
}

/**
 * A page of history. The Query runs alongside the authorization reads (it reveals nothing
 * unless they pass), so a page costs one round trip of latency.
 */
export async function listMessages(
  db: Db,
  input: { serverId: string; channelId: string; userId: string } & HistoryWindow,
): Promise<Message[]> {
  const [, page] = await Promise.all([
    memberInChannel(db, input.serverId, input.channelId, input.userId),
    readHistory(input, ({ from, to, order, limit }) =>
      db.entities.messages.query
        .byChannel({ channelId: input.channelId })
        .between({ messageId: from }, { messageId: to })
        .go({ order, limit, count: limit })
        .then((r) => r.data),
    ),
  ]);
  return page.map(messageView);
}

/**
 * The message, if the caller may see it (a member of its server) and it is in that channel. The
 * message's key is the channel and it records its server, so the channel needs no read of its own.
 */
async function visibleMessage(db: Db, input: { serverId: string; channelId: string; messageId: string; userId: string }) {
  const [member, message] = await Promise.all([
    requireMember(db, input.serverId, input.userId),
    db.entities.messages.get({ channelId: input.channelId, messageId: input.messageId }).go(),
  ]);
  if (!message.data || message.data.serverId !== input.serverId) throw new AppError("not_found", "No such message.");
  return { member, message: message.data };
}

/** Only its author edits a message; `editedAt` marks it. */
export async function editMessage(
  db: Db,
  input: { serverId: string; channelId: string; messageId: string; userId: string; content: string },
): Promise<Message> {
  const { message } = await visibleMessage(db, input);
  const edit = await saveEdit(message, input, (changes) =>
    db.entities.messages.patch({ channelId: input.channelId, messageId: input.messageId }).set(changes).go(),
  );
  return messageView({ ...message, ...edit });
}

/** Its author deletes a message, and so does the server's owner (moderation). */
export async function deleteMessage(
  db: Db,
  input: { serverId: string; channelId: string; messageId: string; userId: string },
): Promise<void> {
  const { member, message } = await visibleMessage(db, input);
  if (member.role !== "owner") assertAuthor(message, input.userId, "delete");
  await db.entities.messages.delete({ channelId: input.channelId, messageId: input.messageId }).go();
}