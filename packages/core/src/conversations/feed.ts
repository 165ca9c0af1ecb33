/**
 * The change feed primitive: every change to a message (created, edited, deleted, its reactions
 * or attachments changed) is committed through `commitChange`, in one TransactWriteItems with
 *   - the conversation item's `seq` bumped from n to n + 1, on the condition that it is still n;
 *   - the message write itself (its `revision` grows by one);
 *   - an immutable change-log item at position n + 1 (model/changes.ts);
 *   - whatever else must commit with it (mention items, a nonce guard, a reaction's item).
 * A writer that lost the race for n rebuilds on the head its refusal handed back (or reads it) and
 * tries again, after a wait learnt from the contention ("Hot channels"). So positions have no
 * gaps and are handed out in commit order by the database, never by a clock: a reader holding
 * position p who reads the log after p sees every change committed after p (docs/decisions.md,
 * "Change feeds"). It is the same for every kind of conversation: the kind (kind.ts) names the
 * head item and the message entity.
 */
import type { Db, Write, WriteEntities } from "../model/index.ts";
import { AppError } from "../errors.ts";
import { getEach } from "../store/batches.ts";
import { readItem } from "../store/batchGet.ts";
import { transactOnce } from "../store/transactions.ts";
import type { Change, ChangesPage } from "../views.ts";
import { headOf, type ConversationKind, type Head, type KindTypes, type MessageFields } from "./kind.ts";

/** A change item is kept at least this long (api.md: deletions stay in the feed ≥ 30 days). */
export const CHANGE_RETENTION_DAYS = 31;

/** What one change does to its message. */
export type MessageWrite<M> =
  | { kind: "created"; item: M }
  /** `revision` is the message's current one (read after the head): it is set to revision + 1. */
  | { kind: "updated"; revision: number; set: MessageFields }
  | { kind: "deleted" };

export interface ChangePlan<M> {
  messageId: string;
  message: MessageWrite<M>;
  /** The conversation's newest message after this change; absent: unchanged. */
  lastMessageId?: string | null;
  /**
   * Further writes that commit with the change, or not at all, by name (store/transactions.ts).
   * The names `head`, `change` and `message` are the primitive's own.
   */
  also?: (tx: WriteEntities) => Record<string, Write>;
}

export type Committed<P> = { committed: true; plan: P; seq: number; cursor: string };
/** A condition of an `also` write failed, and nothing was written: the names of those refused. */
export type Refused = { committed: false; refused: ReadonlySet<string> };

/** The conversation's head, read strongly (a GetItem); a conversation that is gone is 404. */
export async function readHead<T extends KindTypes>(db: Db, kind: ConversationKind<T>, ref: T["ref"]): Promise<Head> {
  const item = await readItem(db.client, kind.head.read(db, ref), true);
  if (!item) throw new AppError("not_found", kind.head.gone);
  return headOf(item);
}

const ATTEMPTS = 50;

/**
 * How long, at most, this process's writers to one conversation wait after losing its race: a
 * window that doubles with each loss and halves with each commit, kept across changes (so a
 * writer's next message does not start as if the channel were quiet). Under contention the
 * windows of all writers grow until about one attempt reaches the head per commit, instead of
 * every writer's attempt failing on each commit; a quiet conversation's window falls back to
 * nothing and is forgotten. Only how long to wait is learnt: which change takes a position is
 * still decided by the sequence condition alone.
 */
const WINDOW_MIN_MS = 2;
const WINDOW_MAX_MS = 1_000;
const windows = new WeakMap<Db, Map<string, number>>();

function afterLoss(db: Db, conversationId: string): number {
  let byConversation = windows.get(db);
  if (!byConversation) windows.set(db, (byConversation = new Map()));
  const window = Math.min(WINDOW_MAX_MS, Math.max(WINDOW_MIN_MS, (byConversation.get(conversationId) ?? 0) * 2));
  byConversation.set(conversationId, window);
  return window;
}

function afterCommit(db: Db, conversationId: string): void {
  const byConversation = windows.get(db);
  const window = byConversation?.get(conversationId);
  if (window === undefined) return;
  if (window / 2 < WINDOW_MIN_MS) byConversation!.delete(conversationId);
  else byConversation!.set(conversationId, window / 2);
}

/**
 * Commits one change to one message of the conversation. `build` is called with the head read
 * strongly (the first time with `options.head`, when the caller has just read the conversation
 * item strongly anyway); whatever it reads after that is current when the transaction commits,
 * since the sequence condition fails if any other change landed in between. It may throw (404,
 * 403): nothing is written. A message that vanished meanwhile (edit or delete of a deleted
 * message) is 404. For instance, a reaction (its own item guarded by `attribute_not_exists`):
 *
 *     const result = await commitChange(db, kind, ref, async () => {
 *       const message = await currentMessage(db, kind, ref, messageId);   // read strongly, after the head
 *       return {
 *         messageId,
 *         message: { kind: "updated", revision: revisionOf(message), set: { reactions: next } },
 *         also: (tx) => ({ reaction: tx.reactions.create({ ... }).commit() }),
 *       };
 *     });
 *     if (!result.committed && result.refused.has("reaction")) // already reacted: 204, no change
 *     else push { …, cursor: result.cursor }
 */
export async function commitChange<T extends KindTypes, P extends ChangePlan<T["message"]>>(
  db: Db,
  kind: ConversationKind<T>,
  ref: T["ref"],
  build: (head: Head) => P | Promise<P>,
  options: { head?: Head } = {},
): Promise<Committed<P> | Refused> {
  const conversationId = kind.id(ref);
  return inTurn(db, conversationId, (lane) => commitInTurn(db, kind, ref, build, newest(options.head, lane.head), lane));
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

async function commitInTurn<T extends KindTypes, P extends ChangePlan<T["message"]>>(
  db: Db,
  kind: ConversationKind<T>,
  ref: T["ref"],
  build: (head: Head) => P | Promise<P>,
  known: Head | undefined,
  lane: Lane,
): Promise<Committed<P> | Refused> {
  const conversationId = kind.id(ref);
  let head = known;
  for (let attempt = 1; ; attempt++) {
    head ??= await readHead(db, kind, ref);
    const plan = await build(head);
    const seq = head.seq + 1;
    const built = head;
    const sent = performance.now();
    const outcome = await transactOnce(db, (tx) => writes(tx, kind, ref, built, plan, db.clock.now()));
    if (outcome.committed) {
      afterCommit(db, conversationId);
      lane.head = { seq, lastMessageId: plan.lastMessageId !== undefined ? plan.lastMessageId : built.lastMessageId };
      return { committed: true, plan, seq, cursor: encodeCursor(conversationId, seq) };
    }
    const { refused } = outcome;
    if (!refused.size && !outcome.lostARace) throw new Error(`transaction canceled: ${outcome.detail}`);
    // Someone else took position `seq` (or held the head as we tried): rebuild on the head as it is now.
    if (outcome.lostARace || refused.has("head") || refused.has("change")) {
      if (attempt >= ATTEMPTS) throw new Error(`change to ${conversationId} lost the race for its sequence ${ATTEMPTS} times`);
      const tookMs = performance.now() - sent;
      const waitMs = Math.random() * afterLoss(db, conversationId);
      // The head's failed condition handed the head back as it stood (ALL_OLD). After a wait no
      // longer than the try took (or than the least window), that is most likely still the head:
      // build on it, with no read. After a longer one others have most likely moved it again (a
      // try on it would fail for nothing), and when nothing came back (a conflict, or the
      // conversation is gone): read it.
      const current = outcome.current.get("head");
      head = current && waitMs <= Math.max(tookMs, WINDOW_MIN_MS) ? headOf(current as Parameters<typeof headOf>[0]) : undefined;
      await new Promise((r) => setTimeout(r, waitMs));
      continue;
    }
    if (refused.has("message")) throw new AppError("not_found", "No such message.");
    return { committed: false, refused };
  }
}

/** The change's writes: the caller's, the head's move, the change-log item and the message's own. */
function writes<T extends KindTypes>(
  tx: WriteEntities,
  kind: ConversationKind<T>,
  ref: T["ref"],
  head: Head,
  plan: ChangePlan<T["message"]>,
  now: number,
): Record<string, Write> {
  const created = plan.message.kind === "created" ? plan.message.item : undefined;
  return {
    ...alsoWrites(tx, plan),
    head: kind.head.write(tx, ref, head, { lastMessageId: plan.lastMessageId, created }),
    change: tx.changes
      .create({
        conversationId: kind.id(ref),
        seq: head.seq + 1,
        messageId: plan.messageId,
        kind: plan.message.kind,
        committedAt: new Date(now).toISOString(),
        ttl: Math.ceil(now / 1000) + CHANGE_RETENTION_DAYS * 86_400,
      })
      .commit(),
    message: messageWrite(tx, kind, ref, plan),
  };
}

const OWN_WRITES = new Set(["head", "change", "message"]);
function alsoWrites(tx: WriteEntities, plan: ChangePlan<unknown>): Record<string, Write> {
  const also = plan.also?.(tx) ?? {};
  for (const name of Object.keys(also)) if (OWN_WRITES.has(name)) throw new Error(`commitChange: "${name}" is the primitive's own write`);
  return also;
}

/** The write that moves a head (any kind's: its `set` adds what that kind's head keeps besides, `also`). */
export interface HeadWrites<K, F> {
  patch: (key: K) => {
    set: (fields: { seq: number; lastMessageId?: string } & F) => SeqGuarded & { remove: (attributes: ["lastMessageId"]) => SeqGuarded };
  };
}
interface SeqGuarded {
  where: (condition: SeqCondition) => { commit: (options: { response: "all_old" }) => Write };
}
type SeqCondition = <A, O extends { eq(attribute: A, value: number): string; notExists(attribute: A): string }>(attributes: { seq: A }, op: O) => string;

/**
 * The head item moves to `seq + 1`, only from the position the change was built on (absent
 * `seq`: none yet), with the newest message when the change moves it (`null`: none is left).
 */
export function moveHead<K, F>(writes: HeadWrites<K, F>, key: K, head: Head, lastMessageId: string | null | undefined, also: F): Write {
  const atSeq: SeqCondition = (a, op) => (head.seq === 0 ? op.notExists(a.seq) : op.eq(a.seq, head.seq));
  const patch = writes.patch(key).set({ seq: head.seq + 1, ...(lastMessageId ? { lastMessageId } : {}), ...also });
  // A writer that loses the race gets the head back with the refusal, as it stands (feed.ts commitInTurn).
  return (lastMessageId === null ? patch.remove(["lastMessageId"]) : patch).where(atSeq).commit({ response: "all_old" });
}

/** The message's own write; an update or deletion requires it to exist (a deleted message is not resurrected). */
function messageWrite<T extends KindTypes>(tx: WriteEntities, kind: ConversationKind<T>, ref: T["ref"], plan: ChangePlan<T["message"]>): Write {
  const entity = kind.messages.written(tx);
  const write = plan.message;
  if (write.kind === "created") return entity.create(write.item).commit();
  const key = kind.messages.key(ref, plan.messageId);
  if (write.kind === "deleted") return entity.remove(key).commit();
  return entity.patch(key).set({ ...write.set, revision: write.revision + 1 }).commit();
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
  return { changes, cursor: page.cursor, hasMore: page.hasMore };
}

/** The conversation's messages by id, read strongly (a change just logged is visible): 100 to a BatchGetItem, 5 at once. */
export async function currentMessages<T extends KindTypes>(db: Db, kind: ConversationKind<T>, ref: T["ref"], ids: string[]): Promise<Map<string, T["message"]>> {
  const found = await getEach(
    ids.map((messageId) => kind.messages.key(ref, messageId)),
    (keys) => kind.messages.stored(db).get(keys).go({ consistent: true, concurrency: 5 }),
  );
  return new Map(found.map((m) => [m.messageId, m]));
}

/** The message, read strongly (inside a change, after the head), or 404. */
export async function currentMessage<T extends KindTypes>(db: Db, kind: ConversationKind<T>, ref: T["ref"], messageId: string): Promise<T["message"]> {
  const { data } = await kind.messages.stored(db).get(kind.messages.key(ref, messageId)).go({ consistent: true });
  if (!data) throw new AppError("not_found", "No such message.");
  return data;
}

/** The newest message of the conversation older than `messageId` (where the head moves back to when it is deleted). */
export async function messageBefore<T extends KindTypes>(db: Db, kind: ConversationKind<T>, ref: T["ref"], messageId: string): Promise<string | null> {
  // A closed range below the message: other entities share the partition (subscriptions, the DM item).
  const { data } = await kind.messages.between(db, ref, "0", messageId).go({ order: "desc", limit: 2, consistent: true });
  return data.find((m) => m.messageId !== messageId)?.messageId ?? null;
}

export type { Change, ChangesPage };
