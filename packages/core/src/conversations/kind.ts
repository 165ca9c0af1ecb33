/**
 * What a kind of conversation (a channel, a DM; threads next) supplies to the one conversation
 * model of this folder. A kind says only what differs between kinds: how a caller is let in,
 * which item is the conversation's head, where and under which keys its messages are stored,
 * who hears of its changes, and what a deletion may do. Sending, history, edits, deletions, the
 * change feed, reactions, replies, mentions, read state and uploads are written once, over this
 * interface (send.ts, pages.ts, edits.ts, reactions.ts, readState.ts, uploads.ts). Each kind is one
 * file of `kinds/`.
 *
 * A kind reaches its ElectroDB entities through the narrow interfaces below, which its file
 * fills with the entities themselves (`(tx) => tx.messages`): TypeScript checks there that the
 * entity takes exactly these keys and items, so the code over every kind is typed without a cast.
 */
import type { Db, DmMessageItem, MessageItem, Write, WriteEntities } from "../model/index.ts";
import type { ItemRead } from "../store/batchGet.ts";
import type { Found, ItemReads } from "../store/readTogether.ts";
import type { ReadBatch } from "../store/readBatch.ts";
import type { MessageLinks, ReadState } from "../views.ts";

/** A stored message of any kind: the body both message entities share (model/messages.ts `messageBody`), and its conversation's keys. */
export type StoredMessage = MessageItem | DmMessageItem;

/** A message's own attributes, without the keys of the conversation that holds it: what `newMessage` completes. */
export type MessageBody = Omit<MessageItem, "channelId" | "serverId">;

/** What a change may set on a message: the attributes not fixed when it was stored. */
export type MessageFields = Partial<Pick<MessageItem, "content" | "editedAt" | "revision" | "mentions" | "mentionsEveryone" | "reactions">>;

/**
 * The caller's rate limit for a change, counted beside the change's first reads (no round trip of
 * its own): it throws `rate_limited` before anything is written.
 */
export type RateLimit = () => Promise<void>;

/**
 * What a caller does in a conversation that its kind may refuse (403): a channel asks the caller's
 * permissions there (servers/channelPermissions.ts); a DM lets its two participants do all of it.
 */
export type ConversationAct = "send" | "attach" | "history" | "react" | "newReaction" | "edit";

/** Where a conversation's feed stands: its last position and its newest message. */
export interface Head {
  seq: number;
  lastMessageId: string | null;
}

/** The head as its item holds it (a conversation that never changed has neither). */
export const headOf = (item: { seq?: number | undefined; lastMessageId?: string | undefined }): Head => ({
  seq: item.seq ?? 0,
  lastMessageId: item.lastMessageId ?? null,
});

/** Who acts in a conversation, as its kind let them in: enough to author a message or a reaction. */
export interface Caller {
  userId: string;
  username: string;
  userCreatedAt: string;
}

/** Who a message mentions (api.md "Read state, unread, mentions"). */
export interface Mentions {
  mentions: string[];
  mentionsEveryone: boolean;
}

/** The types one kind works with. */
export interface KindTypes {
  /** What names one conversation of the kind: its ids in a route's path. */
  ref: object;
  /** Who acts, as the kind's check found them (a channel's adds the membership). */
  caller: Caller;
  /** Who hears of its changes; packages/functions (delivery/messageEvents.ts) says with which events. */
  audience: object;
  /** The key of one of its messages. */
  key: object;
  /** Its message item. */
  message: StoredMessage;
  /** Its message as the API shows it (views.ts). */
  view: { id: string };
}

/** A caller let in: who they are, where the feed stands (read strongly), and who hears of what they change. */
export interface Entered<T extends KindTypes> {
  caller: T["caller"];
  head: Head;
  audience: T["audience"];
}

/** How one conversation of a kind shows in the caller's read states (readState.ts). */
export interface Listed {
  /** The conversation's id (kind.id). */
  id: string;
  keys: Pick<ReadState, "channelId" | "conversationId">;
  lastMessageId: string | null;
}

export interface ConversationKind<T extends KindTypes> {
  /** Its id: the partition of its feed, mentions, reactions, read positions, nonces, and the prefix of its files. */
  id(ref: T["ref"]): string;

  /**
   * Lets the caller in (or answers 404, as if the conversation did not exist) with one strongly
   * consistent BatchGetItem of what proves access and the head, holding `also` too, and the reads
   * joined to `batch`: a send, a page, a feed, a reaction, an upload.
   */
  enter<R extends ItemReads = {}>(db: Db, ref: T["ref"], userId: string, reads?: { also?: R; batch?: ReadBatch | undefined }): Promise<Entered<T> & { also: Found<R> }>;
  /**
   * The same check, each read a GetItem of its own beside the session's: an edit, a deletion, a
   * read position (what they cost is pinned by the request-cost tests; docs/data-model.md).
   */
  check(db: Db, ref: T["ref"], userId: string): Promise<Entered<T>>;

  /** Its head: the item whose `seq` orders the feed and whose `lastMessageId` is the newest message. */
  head: {
    read(db: Db, ref: T["ref"]): ItemRead<{ seq?: number | undefined; lastMessageId?: string | undefined }>;
    /** What a missing head is called in its 404. */
    gone: string;
    /**
     * The head's write in a change, on the condition that `seq` is still the one the change was
     * built on (feed.ts `moveHead`); `created` is the message the change stores, if any.
     */
    write(tx: WriteEntities, ref: T["ref"], head: Head, next: { lastMessageId?: string | null | undefined; created?: T["message"] | undefined }): Write;
  };

  /** Its messages: their keys, the typed access to their entity, and their history's range. */
  messages: {
    key(ref: T["ref"], messageId: string): T["key"];
    /** A new message item of this conversation. */
    create(ref: T["ref"], body: MessageBody): T["message"];
    stored(db: Db): MessageReads<T["key"], T["message"]>;
    written(tx: WriteEntities): MessageWrites<T["key"], T["message"]>;
    /** One message, to be read with others (a reply's original, in a send's BatchGetItem). */
    read(db: Db, key: T["key"]): ItemRead<T["message"]>;
    /** Its messages between two ids (both included), for a page of history or the message before one. */
    between(db: Db, ref: T["ref"], from: string, to: string): MessageRange<T["message"]>;
  };

  /** The message as its viewer sees it. */
  view(item: T["message"], links: MessageLinks): T["view"];

  /**
   * Who a message with this content mentions, worked out beside the send's or edit's check (a
   * channel looks names up among its server's members); the answer then depends on who wrote it.
   */
  mentions(db: Db, ref: T["ref"], content: string): Promise<(author: T["caller"]) => Mentions>;
  /** Whether `@everyone` exists here: its mention items count in read states. */
  everyone: boolean;

  /**
   * Writes that commit with a new message (a channel: its server still exists; a DM: both
   * participants' lists move it up), and the error a refusal of one of them means.
   */
  sent(tx: WriteEntities, ref: T["ref"], message: T["message"], entered: Entered<T>): Record<string, Write>;
  /**
   * The error a refusal of those writes means (undefined: none of theirs). It may read (a
   * channel's slowmode reads when the caller may post again): only a refused send pays for it.
   */
  refusal?(db: Db, ref: T["ref"], refused: ReadonlySet<string>, entered: Entered<T>): Promise<Error | undefined>;

  /** 403 unless the caller may `act` here (checked once they are let in; a DM refuses nothing). */
  requireTo(caller: T["caller"], act: ConversationAct): void;

  /** Whether the caller may delete other people's messages here (their own, always). */
  mayDeleteOthers(caller: T["caller"]): boolean;

  /**
   * Writes that commit with the deletion of someone else's message (a channel's audit entry:
   * api.md "Audit log"); a DM has none (its participants delete only their own).
   */
  deletedByOther?(db: Db, tx: WriteEntities, ref: T["ref"], caller: T["caller"], message: T["message"]): Record<string, Write>;

  /** Its read state's keys. */
  readStateKeys(ref: T["ref"]): Pick<ReadState, "channelId" | "conversationId">;
  /** Every conversation of this kind the user takes part in, with its newest message (GET /read-states). */
  everyConversation(db: Db, userId: string): Promise<Listed[]>;
}

/** One message, or a page of them, read by key (ElectroDB's `get`, typed by the kind's entity). */
export interface MessageReads<K, M> {
  get: {
    (key: K): { go: (options: { consistent?: boolean }) => Promise<{ data: M | null }> };
    (keys: K[]): { go: (options: { consistent?: boolean; concurrency?: number }) => Promise<{ data: M[]; unprocessed: K[] }> };
  };
}

/** A change's write of its message (feed.ts): created, patched, or removed if it exists. */
export interface MessageWrites<K, M> {
  create: (item: M) => { commit: () => Write };
  patch: (key: K) => { set: (fields: MessageFields) => { commit: () => Write } };
  remove: (key: K) => { commit: () => Write };
}

/** A Query of a key range of messages (following the 1 MB pages until `count` when given). */
export interface MessageRange<M> {
  go: (options: { order: "asc" | "desc"; limit: number; count?: number; consistent?: boolean }) => Promise<{ data: M[] }>;
}

/** A kind of any message types (a list of every kind: read states). */
export type AnyKind = Pick<ConversationKind<KindTypes>, "everyone" | "everyConversation">;
