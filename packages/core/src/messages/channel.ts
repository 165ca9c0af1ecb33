import type { Db, MessageItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { newId } from "../store/ids.ts";
import { nowIso } from "../store/time.ts";
import { readHistory, type HistoryWindow } from "./history.ts";
import { requireMember } from "../servers/access.ts";
import { assertAuthor, saveEdit } from "./edits.ts";
import { messageView, type Message } from "../views.ts";
import type { Stores } from "../attachments/files.ts";
import { present, type KnownAvatars } from "../attachments/present.ts";
import { couldBeMessageId, replyRefOf } from "./replies.ts";
import { attachmentsOf, readyAttachments, writeMessage } from "./attach.ts";
import { removeMessageExtras } from "./deletion.ts";

/** The channel message as its viewer sees it (avatars, file URLs, their own reactions). */
export const showMessages = (stores: Stores, viewerId: string, channelId: string, items: MessageItem[], known?: KnownAvatars) =>
  present(stores, viewerId, channelId, items, messageView, known);
const showMessage = async (stores: Stores, viewerId: string, item: MessageItem, known?: KnownAvatars) =>
  (await showMessages(stores, viewerId, item.channelId, [item], known))[0]!;
/** The author's avatar key, read alongside the other reads of a send or an edit. */
export const authorAvatar = (db: Db, userId: string): Promise<KnownAvatars> =>
  db.entities.users.get({ userId }).go({ attributes: ["userId", "avatarKey"] }).then((r) => new Map([[userId, r.data?.avatarKey]]));

/** The caller's membership and the channel (which must belong to the server), read in parallel. */
export async function memberInChannel(db: Db, serverId: string, channelId: string, userId: string) {
  const [member, channel] = await Promise.all([
    db.entities.members.get({ serverId, userId }).go(),
    db.entities.channels.get({ serverId, channelId }).go(),
  ]);
  if (!member.data) throw new AppError("not_found", "No such server.");
  if (!channel.data) throw new AppError("not_found", "No such channel.");
  return member.data;
}

/**
 * Stores a message; the author's name and creation date are copied from the membership. A reply
 * copies what it shows of the original (read alongside the membership); attachments are checked
 * against the store and claimed in one transaction with the message.
 */
export async function sendMessage(
  stores: Stores,
  input: { serverId: string; channelId: string; userId: string; content: string; replyTo?: string | undefined; attachments?: string[] | undefined },
): Promise<Message> {
  const { db } = stores;
  const { replyTo } = input;
  const [member, original, avatar] = await Promise.all([
    memberInChannel(db, input.serverId, input.channelId, input.userId),
    replyTo && couldBeMessageId(replyTo)
      ? db.entities.messages.get({ channelId: input.channelId, messageId: replyTo }).go().then((r) => r.data)
      : null,
    authorAvatar(db, input.userId),
  ]);
  const messageId = newId();
  const reply = replyTo === undefined ? undefined : replyRefOf(original, replyTo);
  const ready = await readyAttachments(stores, { ownerId: input.userId, conversationId: input.channelId, messageId, uploadIds: input.attachments });
  const message: MessageItem = {
    messageId,
    channelId: input.channelId,
    serverId: input.serverId,
    authorId: member.userId,
    authorUsername: member.username,
    authorCreatedAt: member.userCreatedAt,
    content: input.content,
    createdAt: nowIso(),
    ...(reply ? { replyTo: reply } : {}),
    ...(ready ? { attachments: attachmentsOf(ready) } : {}),
  };
  if (ready) await writeMessage(db, messageId, ready, (tx) => [tx.messages.create(message).commit()]);
  else await db.entities.messages.create(message).go();
  return showMessage(stores, input.userId, message, avatar);
}

/**
 * A page of history. The Query runs alongside the authorization reads (it reveals nothing
 * unless they pass), so a page costs one round trip of latency.
 */
export async function listMessages(
  stores: Stores,
  input: { serverId: string; channelId: string; userId: string } & HistoryWindow,
): Promise<Message[]> {
  const { db } = stores;
  const [, page] = await Promise.all([
    memberInChannel(db, input.serverId, input.channelId, input.userId),
    readHistory(input, ({ from, to, order, limit }) =>
      db.entities.messages.query
        .byChannel({ channelId: input.channelId })
        .between({ messageId: from }, { messageId: to })
        .go({ order, limit })
        .then((r) => r.data),
    ),
  ]);
  return showMessages(stores, input.userId, input.channelId, page);
}

/**
 * The message, if the caller may see it (a member of its server) and it is in that channel. The
 * message's key is the channel and it records its server, so the channel needs no read of its own.
 */
export async function visibleMessage(db: Db, input: { serverId: string; channelId: string; messageId: string; userId: string }) {
  const [member, message] = await Promise.all([
    requireMember(db, input.serverId, input.userId),
    db.entities.messages.get({ channelId: input.channelId, messageId: input.messageId }).go(),
  ]);
  if (!message.data || message.data.serverId !== input.serverId) throw new AppError("not_found", "No such message.");
  return { member, message: message.data };
}

/** Only its author edits a message; `editedAt` marks it. */
export async function editMessage(
  stores: Stores,
  input: { serverId: string; channelId: string; messageId: string; userId: string; content: string },
): Promise<Message> {
  const { db } = stores;
  const { message } = await visibleMessage(db, input);
  const edit = await saveEdit(message, input, (changes) =>
    db.entities.messages.patch({ channelId: input.channelId, messageId: input.messageId }).set(changes).go(),
  );
  return showMessage(stores, input.userId, { ...message, ...edit });
}

/** Its author deletes a message, and so does the server's owner (moderation); its files and reactions go with it. */
export async function deleteMessage(
  stores: Stores,
  input: { serverId: string; channelId: string; messageId: string; userId: string },
): Promise<void> {
  const { db } = stores;
  const { member, message } = await visibleMessage(db, input);
  if (member.role !== "owner") assertAuthor(message, input.userId, "delete");
  await db.entities.messages.delete({ channelId: input.channelId, messageId: input.messageId }).go();
  await removeMessageExtras(stores, input.channelId, message);
}