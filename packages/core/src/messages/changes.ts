/**
 * The change feed primitive: every change to a message (created, edited, deleted, its reactions
 * or attachments changed) is committed through `commitChange`, in one TransactWriteItems with
 *   - the conversation item's `seq` bumped from n to n + 1, on the condition that it is still n;
 *   - the message write itself (its `revision` grows by one);
 *   - an immutable change-log item at position n + 1 (model/changes.ts);
 *   - whatever else must commit with it (mention items, a nonce guard, a reaction's item).
 * A writer that lost the race for n re-reads the head and tries again. So positions have no
 * gaps and are handed out in commit order by the database, never by a clock: a reader holding
 * position p who reads the log after p sees every change committed after p (docs/decisions.md,
 * "Change feeds").
 */
import type { Db, DmMessageItem, MessageItem } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { getEach } from "../store/batches.ts";
import { transact, TransactionConflict, type Write, type WriteEntities } from "../store/transactions.ts";
import type { Change, ChangesPage } from "../views.ts";

/** A conversation: a channel (keyed under its server) or a DM. */
export type Conversation =
  | { kind: "channel"; serverId: string; channelId: string }
  | { kind: "dm"; conversationId: string };

export const conversationIdOf = (c: Conversation) => (c.kind === "channel" ? c.channelId : c.conversationId);

/** Where a conversation's feed stands: its last position and its newest message. */
export interface Head {
  seq: number;
  lastMessageId: string | null;
}

export const headOf = (item: { seq?: number | undefined; lastMessageId?: string | undefined }): Head => ({
  seq: item.seq ?? 0,
  lastMessageId: item.lastMessageId ?? null,
});

/** A change item is kept at least this long (api.md: deletions stay in the feed ≥ 30 days). */
export const CHANGE_RETENTION_DAYS = 31;

export type { Write, WriteEntities };

/** The attributes of a message that a change may set (those of `messageBody`, bar its identity). */
export type MessageFields = Partial<Omit<MessageItem & DmMessageItem, "messageId" | "channelId" | "serverId" | "conversationId" | "authorId" | "createdAt">>;

/** What one change does to its message. */
export type MessageWrite<M> =
  | { kind: "created"; item: M }
  /** `revision` is the message's current one (read after the head): it is set to revision + 1. */
  | { kind: "updated"; revision: number; set?: MessageFields; remove?: (keyof MessageFields)[] }
  | { kind: "deleted" };

export interface ChangePlan<M> {
  messageId: string;
  message: MessageWrite<M>;
  /** The conversation's newest message after this change; absent: unchanged. */
  lastMessageId?: string | null;
  /** DMs only: the conversation's last activity. */
  lastMessageAt?: string;
  /**
   * Further writes that commit with the change, or not at all, by name (store/transactions.ts).
   * The names `head`, `change` and `message` are the primitive's own.
   */
  also?: (tx: WriteEntities) => Record<string, Write>;
}

export type Committed<P> = { committed: true; plan: P; seq: number; cursor: string };
/** A condition of an `also` write failed, and nothing was written: the names of those refused. */
export type Refused = { committed: false; refused: ReadonlySet<string> };

type MessageOf<C extends Conversation> = C extends { kind: "channel" } ? MessageItem : DmMessageItem;

/** The conversation's head, read strongly; a conversation that is gone is 404. */
export async function readHead(db: Db, c: Conversation): Promise<Head> {
  const { data } =
    c.kind === "channel"
      ? await db.entities.channels.get({ serverId: c.serverId, channelId: c.channelId }).go({ consistent: true })
      : await db.entities.dmConversations.get({ conversationId: c.conversationId }).go({ consistent: true });
  if (!data) throw new AppError("not_found", c.kind === "channel" ? "No such channel." : "No such conversation.");
  return headOf(data);
}

const ATTEMPTS = 50;
// Short and capped: whoever beat us has already committed, so the next try usually wins.
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 4 * 2 ** Math.min(attempt, 6)));

/**
 * Commits one change to one message of the conversation. `build` is called with the head read
 * strongly (the first time with `options.head`, when the caller has just read the conversation
 * item strongly anyway); whatever it reads after that is current when the transaction commits,
 * since the sequence condition fails if any other change landed in between. It may throw (404,
 * 403): nothing is written. A message that vanished meanwhile (edit or delete of a deleted
 * message) is 404. For instance, a reaction (its own item guarded by `attribute_not_exists`):
 *
 *     const result = await commitChange(db, { kind: "channel", serverId, channelId }, async () => {
 *       const message = await currentMessageOf(...);            // read strongly, after the head
 *       return {
 *         messageId,
 *         message: { kind: "updated", revision: revisionOf(message), set: { reactions: next } },
 *         also: (tx) => ({ reaction: tx.reactions.create({ ... }).commit() }),
 *       };
 *     });
 *     if (!result.committed && result.refused.has("reaction")) // already reacted: 204, no change
 *     else push { …, cursor: result.cursor }
 */
export async function commitChange<C extends Conversation, P extends ChangePlan<MessageOf<C>>>(
  db: Db,
  conversation: C,
  build: (head: Head) => P | Promise<P>,
  options: { head?: Head } = {},
): Promise<Committed<P> | Refused> {
  const conversationId = conversationIdOf(conversation);
  return inTurn(db, conversationId, (lane) => commitInTurn(db, conversation, conversationId, build, newest(options.head, lane.head), lane));
}

/** Where this process's writers to one conversation stand: the last of them, and the head it left. */
interface Lane {
  tail: Promise<unknown>;
  head?: Head | undefined;
}

/**
 * Changes to one conversation from this process take turns, each starting from the head the one
 * before it left. Writers in one Lambda instance (or the whole local runtime) then never race each
 * other for a position: a busy channel costs one transaction per change instead of collisions,
 * re-reads and retries. Writers in other processes still race, and the sequence condition settles
 * that exactly as before, so the turn is an optimization, never what the guarantee rests on.
 */
const lanes = new WeakMap<Db, Map<string, Lane>>();

async function inTurn<T>(db: Db, conversationId: string, run: (lane: Lane) => Promise<T>): Promise<T> {
  let byConversation = lanes.get(db);
  if (!byConversation) lanes.set(db, (byConversation = new Map()));
  const lane = byConversation.get(conversationId) ?? { tail: Promise.resolve() };
  byConversation.set(conversationId, lane);
  const turn = lane.tail.catch(() => {}).then(() => run(lane));
  lane.tail = turn;
  try {
    return await turn;
  } finally {
    // The last in line leaves nothing behind: an idle conversation holds no memory.
    if (lane.tail === turn) byConversation.delete(conversationId);
  }
}

const newest = (a: Head | undefined, b: Head | undefined): Head | undefined => (!a ? b : !b ? a : a.seq >= b.seq ? a : b);

async function commitInTurn<C extends Conversation, P extends ChangePlan<MessageOf<C>>>(
  db: Db,
  conversation: C,
  conversationId: string,
  build: (head: Head) => P | Promise<P>,
  known: Head | undefined,
  lane: Lane,
): Promise<Committed<P> | Refused> {
  for (let attempt = 1; ; attempt++) {
    const head = attempt === 1 && known ? known : await readHead(db, conversation);
    const plan = await build(head);
    const seq = head.seq + 1;
    let refused: ReadonlySet<string>;
    try {
      // One attempt: a transaction that collided with another on the head is rebuilt on a fresh
      // head (the other has most likely taken `seq`), not resent as it was.
      refused = await transact(db, (tx) => writes(tx, conversation, head, plan, db.clock.now()), 1);
    } catch (e) {
      if (!(e instanceof TransactionConflict)) throw e;
      refused = new Set(["head"]);
    }
    if (!refused.size) {
      lane.head = { seq, lastMessageId: plan.lastMessageId !== undefined ? plan.lastMessageId : head.lastMessageId };
      return { committed: true, plan, seq, cursor: encodeCursor(conversationId, seq) };
    }
    // Someone else took position `seq`: read the head again and rebuild on it.
    if (refused.has("head") || refused.has("change")) {
      if (attempt >= ATTEMPTS) throw new Error(`change to ${conversationId} lost the race for its sequence ${ATTEMPTS} times`);
      await backoff(attempt);
      continue;
    }
    if (refused.has("message")) throw new AppError("not_found", "No such message.");
    return { committed: false, refused };
  }
}

/** The change's writes: the caller's, the head's bump, the change-log item and the message's own. */
function writes(tx: WriteEntities, conversation: Conversation, head: Head, plan: ChangePlan<unknown>, now: number): Record<string, Write> {
  return {
    ...alsoWrites(tx, plan),
    head: headWrite(tx, conversation, head, plan),
    change: tx.changes
      .create({
        conversationId: conversationIdOf(conversation),
        seq: head.seq + 1,
        messageId: plan.messageId,
        kind: plan.message.kind,
        committedAt: new Date(now).toISOString(),
        ttl: Math.ceil(now / 1000) + CHANGE_RETENTION_DAYS * 86_400,
      })
      .commit(),
    message: messageWrite(tx, conversation, plan),
  };
}

const OWN_WRITES = new Set(["head", "change", "message"]);
function alsoWrites(tx: WriteEntities, plan: ChangePlan<unknown>): Record<string, Write> {
  const also = plan.also?.(tx) ?? {};
  for (const name of Object.keys(also)) if (OWN_WRITES.has(name)) throw new Error(`commitChange: "${name}" is the primitive's own write`);
  return also;
}

/** The conversation item moves to `seq + 1`, only from the position the change was built on. */
function headWrite(tx: WriteEntities, c: Conversation, head: Head, plan: ChangePlan<unknown>): Write {
  const seq = head.seq + 1;
  const where = (a: { seq: unknown }, op: { eq: (a: any, v: number) => string; notExists: (a: any) => string }) =>
    head.seq === 0 ? op.notExists(a.seq) : op.eq(a.seq, head.seq);
  const last = plan.lastMessageId;
  if (c.kind === "channel") {
    const patch = tx.channels.patch({ serverId: c.serverId, channelId: c.channelId }).set({
      seq,
      ...(last ? { lastMessageId: last } : {}),
    });
    return (last === null ? patch.remove(["lastMessageId"]) : patch).where(where).commit();
  }
  const patch = tx.dmConversations.patch({ conversationId: c.conversationId }).set({
    seq,
    ...(last ? { lastMessageId: last } : {}),
    ...(plan.lastMessageAt ? { lastMessageAt: plan.lastMessageAt } : {}),
  });
  return (last === null ? patch.remove(["lastMessageId"]) : patch).where(where).commit();
}

/** The message's own write; updates and deletes require it to exist (a deleted message is not resurrected). */
function messageWrite(tx: WriteEntities, c: Conversation, plan: ChangePlan<unknown>): Write {
  // Channel and DM messages share their body (model/messages.ts); only the key differs, so the
  // two entities are driven through one untyped handle here and typed at `commitChange`'s edge.
  const entity: any = c.kind === "channel" ? tx.messages : tx.dmMessages;
  const key = c.kind === "channel" ? { channelId: c.channelId, messageId: plan.messageId } : { conversationId: c.conversationId, messageId: plan.messageId };
  const write = plan.message;
  if (write.kind === "created") return entity.create(write.item).commit();
  if (write.kind === "deleted") return entity.delete(key).where((a: any, op: any) => op.exists(a.authorId)).commit();
  let patch = entity.patch(key).set({ ...write.set, revision: write.revision + 1 });
  if (write.remove?.length) patch = patch.remove(write.remove);
  return patch.commit();
}

/** A message's current revision, for a change built on it (messages stored before revisions were 1). */
export const revisionOf = (m: { revision?: number | undefined }) => m.revision ?? 1;

/**
 * A cursor names a position in one conversation's feed. It is opaque to clients; it spells the
 * conversation too, so a cursor of another conversation (or anything else) is a 400, not a
 * silent skip or a 500.
 */
const CURSOR_VERSION = "1";
export const encodeCursor = (conversationId: string, seq: number) =>
  Buffer.from(`${CURSOR_VERSION}.${conversationId}.${seq}`).toString("base64url");

export function decodeCursor(conversationId: string, cursor: string, head: Head): number {
  const message = "since is not a cursor of this conversation.";
  const invalid = () => new AppError("invalid_request", message, { issues: [{ path: "since", message }] });
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid();
  const [version, id, seqText, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split(".");
  if (version !== CURSOR_VERSION || id !== conversationId || rest.length || !/^\d{1,12}$/.test(seqText ?? "")) throw invalid();
  const seq = Number(seqText);
  // A position past the head was never handed out.
  if (seq > head.seq) throw invalid();
  return seq;
}

const MAX_SEQ = 999_999_999_999;

/**
 * The changes after `since`, oldest first, each message once in its current state: one strongly
 * consistent Query of the change log after the position, and one strongly consistent BatchGet
 * of the messages it names (gone: `message_deleted`). `head` is the conversation item's, read
 * strongly before (the caller's authorization read): every position up to it is committed, so
 * a missing one was taken by the TTL, and the cursor has expired.
 */
export async function readChanges<M>(
  db: Db,
  input: {
    conversationId: string;
    head: Head;
    since?: string | undefined;
    limit: number;
    /** The messages' current state, by id (a BatchGet): those missing are deleted. */
    current: (messageIds: string[]) => Promise<Map<string, M>>;
  },
): Promise<ChangesPage<M>> {
  const { conversationId, head, limit } = input;
  if (input.since === undefined) return { changes: [], cursor: encodeCursor(conversationId, head.seq), hasMore: false };
  const since = decodeCursor(conversationId, input.since, head);
  const { data } = await db.entities.changes.query
    .byConversation({ conversationId })
    .between({ seq: since + 1 }, { seq: MAX_SEQ })
    .go({ limit: limit + 1, consistent: true, attributes: ["seq", "messageId"] });
  const page = data.slice(0, limit);
  page.forEach((change, i) => {
    if (change.seq !== since + 1 + i) throw new AppError("cursor_expired");
  });
  if (page.length === 0 && head.seq > since) throw new AppError("cursor_expired");
  // Each message once, at the position of its last change in this page.
  const lastSeen = new Map<string, number>();
  for (const change of page) {
    lastSeen.delete(change.messageId);
    lastSeen.set(change.messageId, change.seq);
  }
  const ids = [...lastSeen.keys()];
  const messages = ids.length ? await input.current(ids) : new Map<string, M>();
  const changes: Change<M>[] = ids.map((messageId) => {
    const message = messages.get(messageId);
    return message ? { type: "message", message } : { type: "message_deleted", messageId };
  });
  const last = page.at(-1)?.seq ?? since;
  return { changes, cursor: encodeCursor(conversationId, last), hasMore: data.length > limit };
}

/** A page of changes with each stored message shown as its viewer sees it (`show`: one call for the page). */
export async function presentChanges<M extends { messageId: string }, V extends { id: string }>(
  page: ChangesPage<M>,
  show: (items: M[]) => Promise<V[]>,
): Promise<ChangesPage<V>> {
  const shown = await show(page.changes.flatMap((c) => (c.type === "message" ? [c.message] : [])));
  const byId = new Map(shown.map((m) => [m.id, m]));
  // A message `show` could not present was left out, logged (attachments/present.ts): so is its change.
  const changes = page.changes.flatMap((c): Change<V>[] => {
    if (c.type !== "message") return [c];
    const message = byId.get(c.message.messageId);
    return message ? [{ type: "message", message }] : [];
  });
  return { ...page, changes };
}

/** The channel messages by id, read strongly (a change just logged is visible). */
export async function currentChannelMessages(db: Db, channelId: string, ids: string[]): Promise<Map<string, MessageItem>> {
  const found = await getEach(
    ids.map((messageId) => ({ channelId, messageId })),
    (keys) => db.entities.messages.get(keys).go({ consistent: true, concurrency: 5 }),
  );
  return new Map(found.map((m) => [m.messageId, m]));
}

export async function currentDmMessages(db: Db, conversationId: string, ids: string[]): Promise<Map<string, DmMessageItem>> {
  const found = await getEach(
    ids.map((messageId) => ({ conversationId, messageId })),
    (keys) => db.entities.dmMessages.get(keys).go({ consistent: true, concurrency: 5 }),
  );
  return new Map(found.map((m) => [m.messageId, m]));
}

/** The newest message of the conversation older than `messageId` (where the head moves back to when it is deleted). */
export async function messageBefore(db: Db, c: Conversation, messageId: string): Promise<string | null> {
  // A closed range below the message: other entities share the partition (subscriptions, the DM item).
  const range = [{ messageId: "0" }, { messageId }] as const;
  const options = { order: "desc", limit: 2, consistent: true, attributes: ["messageId"] } as const;
  const { data } =
    c.kind === "channel"
      ? await db.entities.messages.query.byChannel({ channelId: c.channelId }).between(...range).go(options)
      : await db.entities.dmMessages.query.byConversation({ conversationId: c.conversationId }).between(...range).go(options);
  return data.find((m) => m.messageId !== messageId)?.messageId ?? null;
}

export type { Change, ChangesPage };
