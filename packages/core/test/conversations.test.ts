/**
 * Every conversation behaviour, run against every kind of conversation (conversations/kinds/):
 * the one implementation must hold for a channel and a DM alike, and a new kind (threads) gets
 * this whole suite by adding its fixture below. Where kinds differ by design (who moderates,
 * whether `@everyone` exists, who the audience is), the fixture says so.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Db, UserItem } from "../src/model/index.ts";
import type { Stores } from "../src/attachments/files.ts";
import { createServer } from "../src/servers/server.ts";
import { addMember } from "../src/servers/joining.ts";
import { startConversation } from "../src/dms/pairs.ts";
import type { ConversationKind, KindTypes } from "../src/conversations/kind.ts";
import { sendMessage, type SendInput } from "../src/conversations/send.ts";
import { listChanges, listMessages } from "../src/conversations/pages.ts";
import { deleteMessage, editMessage } from "../src/conversations/edits.ts";
import { listReactors, setReaction } from "../src/conversations/reactions.ts";
import { markRead } from "../src/conversations/readState.ts";
import { createMessageUpload } from "../src/conversations/uploads.ts";
import { channel, type ChannelTypes } from "../src/conversations/kinds/channel.ts";
import { dm, type DmTypes } from "../src/conversations/kinds/dm.ts";
import { freshDb, insertUser, memoryFileStore, uniqueName } from "./harness.ts";

let db: Db;
const files = memoryFileStore();
let stores: Stores;
beforeAll(async () => {
  ({ db } = await freshDb());
  stores = { db, files };
});

/** The conversation functions, each given this kind and this conversation: what a route's handler does. */
function bind<T extends KindTypes>(kind: ConversationKind<T>, ref: T["ref"]) {
  return {
    send: (userId: string, content: string, more: Omit<SendInput, "userId" | "content"> = {}) => sendMessage(stores, kind, ref, { userId, content, ...more }),
    history: (userId: string, window: { limit: number; before?: string; after?: string }) => listMessages(stores, kind, ref, { userId, ...window }),
    changes: (userId: string, since?: string) => listChanges(stores, kind, ref, { userId, since, limit: 200 }),
    edit: (userId: string, messageId: string, content: string) => editMessage(stores, kind, ref, { userId, messageId, content }),
    remove: (userId: string, messageId: string) => deleteMessage(stores, kind, ref, { userId, messageId }),
    react: (userId: string, messageId: string, emoji: string, change: "added" | "removed") => setReaction(stores, kind, ref, { userId, messageId, emoji }, change),
    reactors: (userId: string, messageId: string, emoji: string, page: { limit: number; after?: string }) =>
      listReactors(stores, kind, ref, { userId, messageId, emoji, ...page }),
    read: (userId: string, messageId: string) => markRead(db, kind, ref, { userId, messageId }),
    upload: (userId: string, file: { filename: string; contentType: string; size: number }) => createMessageUpload(stores, kind, ref, { userId, ...file }),
    /** Where the feed stands and the newest message, as the caller's check reads them. */
    head: async (userId: string) => (await kind.check(db, ref, userId)).head,
  };
}
type Room = ReturnType<typeof bind<ChannelTypes>> | ReturnType<typeof bind<DmTypes>>;

interface Fixture {
  name: string;
  /** A conversation `a` and `b` take part in (`a` owns a channel's server), and someone who takes no part. */
  open(): Promise<{ room: Room; a: UserItem; b: UserItem; stranger: UserItem; audience: object; keys: object }>;
  /** Whether `a` may delete `b`'s messages: a channel's owner moderates; a DM has no moderator. */
  aModerates: boolean;
  /** Whether `@everyone` from `a` mentions everyone: a channel's owner may; a DM has no everyone. */
  everyoneFromA: boolean;
  /** Whether every message mentions the other participant (a DM's do). */
  mentionsTheOther: boolean;
}

/** A user with the username guard `@name` mentions are resolved through (registering writes it). */
async function person(): Promise<UserItem> {
  const user = await insertUser(db);
  await db.entities.uniques.create({ kind: "username", value: user.usernameLower!, holderId: user.userId }).go();
  return user;
}
const people = () => Promise.all([person(), person(), person()]);

const fixtures: Fixture[] = [
  {
    name: "channel",
    async open() {
      const [a, b, stranger] = await people();
      const server = await createServer(db, a, uniqueName("Room "));
      await addMember(db, (await db.entities.servers.get({ serverId: server.id }).go()).data!, b);
      const { data } = await db.entities.channels.query.byServer({ serverId: server.id }).go();
      const ref = { serverId: server.id, channelId: data[0]!.channelId };
      return { room: bind(channel, ref), a, b, stranger, audience: ref, keys: { channelId: ref.channelId, conversationId: null } };
    },
    aModerates: true,
    everyoneFromA: true,
    mentionsTheOther: false,
  },
  {
    name: "DM",
    async open() {
      const [a, b, stranger] = await people();
      const { conversation } = await startConversation(db, a.userId, b.userId);
      const keys = { channelId: null, conversationId: conversation.id };
      return { room: bind(dm, { conversationId: conversation.id }), a, b, stranger, audience: { userIds: [a.userId, b.userId].sort() }, keys };
    },
    aModerates: false,
    everyoneFromA: false,
    mentionsTheOther: true,
  },
];

const sentMessage = async (sending: ReturnType<Room["send"]>) => {
  const sent = await sending;
  if (!sent.created) throw new Error("expected a new message");
  return sent;
};

describe.each(fixtures)("a $name", (f) => {
  it("stores a message, answers it with its feed position and audience, and shows it in its history", async () => {
    const { room, a, audience } = await f.open();
    const sent = await sentMessage(room.send(a.userId, "hello"));
    expect(sent.message).toMatchObject({ content: "hello", authorId: a.userId, author: { id: a.userId, username: a.username }, revision: 1, editedAt: null });
    expect(sent.cursor).toEqual(expect.any(String));
    expect(sent.audience).toEqual(audience);
    expect(await room.history(a.userId, { limit: 10 })).toEqual([sent.message]);
    expect((await room.head(a.userId)).lastMessageId).toBe(sent.message.id);
  });

  it("stores nothing for a repeated nonce, and answers the message first sent with it", async () => {
    const { room, a } = await f.open();
    const { cursor: before } = await room.changes(a.userId);
    const first = await room.send(a.userId, "once", { nonce: "n-1" });
    const again = await room.send(a.userId, "twice?", { nonce: "n-1" });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, message: { id: first.message.id, content: "once", nonce: "n-1" } });
    expect((await room.history(a.userId, { limit: 10 })).map((m) => m.content)).toEqual(["once"]);
    expect((await room.changes(a.userId, before)).changes).toHaveLength(1);
  });

  it("keeps a reply's excerpt of the original as it was, and refuses a reply to a message of another conversation (400)", async () => {
    const { room, a, b } = await f.open();
    const original = await sentMessage(room.send(a.userId, "x".repeat(150)));
    const reply = await sentMessage(room.send(b.userId, "yes", { replyTo: original.message.id }));
    await room.edit(a.userId, original.message.id, "changed");
    expect(reply.message.replyTo).toMatchObject({ id: original.message.id, author: { id: a.userId }, excerpt: "x".repeat(100) });
    expect((await room.history(a.userId, { limit: 10 })).at(-1)!.replyTo?.excerpt).toBe("x".repeat(100));
    const elsewhere = await f.open();
    const foreign = await sentMessage(elsewhere.room.send(elsewhere.a.userId, "not here"));
    await expect(room.send(a.userId, "re", { replyTo: foreign.message.id })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(room.send(a.userId, "re", { replyTo: "nope" })).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("pages its history back and forth, oldest first, with no gap and no repeat", async () => {
    const { room, a, b } = await f.open();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await sentMessage(room.send(i % 2 ? b.userId : a.userId, `m${i}`))).message.id);
    const contents = (page: { content: string }[]) => page.map((m) => m.content);
    expect(contents(await room.history(b.userId, { limit: 3 }))).toEqual(["m4", "m5", "m6"]);
    expect(contents(await room.history(b.userId, { limit: 3, before: ids[4] }))).toEqual(["m1", "m2", "m3"]);
    expect(contents(await room.history(b.userId, { limit: 3, before: ids[1] }))).toEqual(["m0"]);
    expect(contents(await room.history(b.userId, { limit: 3, after: ids[1] }))).toEqual(["m2", "m3", "m4"]);
    expect(contents(await room.history(b.userId, { limit: 3, after: ids[6] }))).toEqual([]);
  });

  it("lets only its author edit a message: editedAt set, revision up, the new content everywhere", async () => {
    const { room, a, b, audience } = await f.open();
    const m = await sentMessage(room.send(a.userId, "first"));
    await expect(room.edit(b.userId, m.message.id, "hijack")).rejects.toMatchObject({ code: "forbidden" });
    const edited = await room.edit(a.userId, m.message.id, "second");
    expect(edited.message).toMatchObject({ id: m.message.id, content: "second", revision: 2, editedAt: expect.any(String) });
    expect(edited.audience).toEqual(audience);
    expect(edited.cursor).not.toBe(m.cursor);
    expect(await room.history(b.userId, { limit: 10 })).toEqual([edited.message]);
    await expect(room.edit(a.userId, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "none")).rejects.toMatchObject({ code: "not_found" });
  });

  it("deletes a message for its author (and a moderator where there is one), moving the head back to the one before", async () => {
    const { room, a, b } = await f.open();
    const older = await sentMessage(room.send(a.userId, "older"));
    const newest = await sentMessage(room.send(b.userId, "newest"));
    await expect(room.remove(b.userId, older.message.id)).rejects.toMatchObject({ code: "forbidden" });
    if (f.aModerates) await room.remove(a.userId, newest.message.id);
    else {
      await expect(room.remove(a.userId, newest.message.id)).rejects.toMatchObject({ code: "forbidden" });
      await room.remove(b.userId, newest.message.id);
    }
    expect((await room.head(a.userId)).lastMessageId).toBe(older.message.id);
    expect((await room.history(a.userId, { limit: 10 })).map((m) => m.id)).toEqual([older.message.id]);
    await room.remove(a.userId, older.message.id);
    expect((await room.head(a.userId)).lastMessageId).toBeNull();
    await expect(room.remove(a.userId, older.message.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("gives every change since a cursor in its feed, each message once in its latest state, deletions as such", async () => {
    const { room, a, b } = await f.open();
    const { cursor: start, changes: none } = await room.changes(b.userId);
    expect(none).toEqual([]);
    const kept = await sentMessage(room.send(a.userId, "kept"));
    const gone = await sentMessage(room.send(a.userId, "gone"));
    const edited = await room.edit(a.userId, kept.message.id, "kept, edited");
    const reacted = await room.react(b.userId, kept.message.id, "👍", "added");
    const removed = await room.remove(a.userId, gone.message.id);
    const page = await room.changes(b.userId, start);
    expect(page.changes).toEqual([
      { type: "message", message: expect.objectContaining({ id: kept.message.id, content: "kept, edited", revision: 3, reactions: [{ emoji: "👍", count: 1, me: true }] }) },
      { type: "message_deleted", messageId: gone.message.id },
    ]);
    expect(page).toMatchObject({ cursor: removed.cursor, hasMore: false });
    // Each change's cursor continues after it.
    expect((await room.changes(b.userId, edited.cursor)).changes.map((c) => c.type)).toEqual(["message", "message_deleted"]);
    expect((await room.changes(b.userId, reacted.outcome!.cursor)).changes).toEqual([{ type: "message_deleted", messageId: gone.message.id }]);
    await expect(room.changes(b.userId, "not-a-cursor")).rejects.toMatchObject({ code: "invalid_request" });
  });

  it("counts reactions on the message and lists who reacted; a repeat changes nothing", async () => {
    const { room, a, b, audience } = await f.open();
    const m = await sentMessage(room.send(a.userId, "react to me"));
    const first = await room.react(a.userId, m.message.id, "🎉", "added");
    expect(first).toEqual({ outcome: { change: "added", count: 1, cursor: expect.any(String) }, audience });
    expect((await room.react(b.userId, m.message.id, "🎉", "added")).outcome?.count).toBe(2);
    expect((await room.react(b.userId, m.message.id, "🎉", "added")).outcome).toBeNull();
    expect((await room.react(a.userId, m.message.id, "👀", "removed")).outcome).toBeNull();
    const byId = [a.userId, b.userId].sort();
    expect((await room.reactors(b.userId, m.message.id, "🎉", { limit: 10 })).map((u) => u.id)).toEqual(byId);
    expect((await room.reactors(b.userId, m.message.id, "🎉", { limit: 1, after: byId[0] })).map((u) => u.id)).toEqual([byId[1]]);
    expect((await room.history(b.userId, { limit: 1 }))[0]!.reactions).toEqual([{ emoji: "🎉", count: 2, me: true }]);
    expect((await room.react(a.userId, m.message.id, "🎉", "removed")).outcome?.count).toBe(1);
    expect((await room.history(a.userId, { limit: 1 }))[0]!.reactions).toEqual([{ emoji: "🎉", count: 1, me: false }]);
    await expect(room.react(a.userId, m.message.id, "not an emoji", "added")).rejects.toMatchObject({ code: "invalid_request" });
    await expect(room.reactors(a.userId, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "🎉", { limit: 10 })).rejects.toMatchObject({ code: "not_found" });
  });

  it("resolves mentions as the kind says, and counts them in the mentioned reader's read state", async () => {
    const { room, a, b, stranger } = await f.open();
    const start = await sentMessage(room.send(a.userId, "start"));
    const named = await sentMessage(room.send(a.userId, `@${b.username} and @${stranger.username}`));
    expect(named.message).toMatchObject({ mentions: [b.userId], mentionsEveryone: false });
    const everyone = await sentMessage(room.send(a.userId, "@everyone"));
    expect(everyone.message).toMatchObject({ mentions: f.mentionsTheOther ? [b.userId] : [], mentionsEveryone: f.everyoneFromA });
    const fromB = await sentMessage(room.send(b.userId, `@everyone, @${b.username} here`));
    expect(fromB.message.mentionsEveryone).toBe(false);
    // After `start`, for b: the message naming them, and the one to everyone (a DM's, as every
    // message names the other); never their own.
    expect((await room.read(b.userId, start.message.id)).state.mentionCount).toBe(2);
    // An edit works its mentions out again, and the count follows.
    const edited = await room.edit(a.userId, named.message.id, "no one now");
    expect(edited.message.mentions).toEqual(f.mentionsTheOther ? [b.userId] : []);
    expect((await room.read(b.userId, start.message.id)).state.mentionCount).toBe(f.mentionsTheOther ? 2 : 1);
  });

  it("moves a read position only forward, counting the mentions after it; a malformed message id is unknown (404)", async () => {
    const { room, a, b, keys } = await f.open();
    const one = await sentMessage(room.send(a.userId, "one"));
    const two = await sentMessage(room.send(a.userId, `two @${b.username}`));
    const three = await sentMessage(room.send(a.userId, `three @${b.username}`));
    const at = await room.read(b.userId, one.message.id);
    expect(at).toEqual({ state: { ...keys, lastReadMessageId: one.message.id, mentionCount: 2 }, moved: true });
    expect(await room.read(b.userId, two.message.id)).toMatchObject({ state: { lastReadMessageId: two.message.id, mentionCount: 1 }, moved: true });
    expect(await room.read(b.userId, one.message.id)).toMatchObject({ state: { lastReadMessageId: two.message.id, mentionCount: 1 }, moved: false });
    expect(await room.read(b.userId, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ")).toMatchObject({ state: { lastReadMessageId: three.message.id, mentionCount: 0 } });
    for (const malformed of ["nope", "", "01arz3ndektsv4rrffq69g5fav", "x".repeat(2000)]) {
      await expect(room.read(b.userId, malformed)).rejects.toMatchObject({ code: "not_found" });
    }
  });

  it("attaches an upload for this conversation to one message only, and deletes its file with the message", async () => {
    const { room, a, b } = await f.open();
    const upload = await room.upload(a.userId, { filename: "notes.txt", contentType: "text/plain", size: 5 });
    files.put(`pending/${upload.id}`, "text/plain", new TextEncoder().encode("hello"));
    const m = await sentMessage(room.send(a.userId, "", { attachments: [upload.id] }));
    expect(m.message.attachments).toEqual([expect.objectContaining({ id: upload.id, filename: "notes.txt", contentType: "text/plain", size: 5 })]);
    const key = files.keys().find((k) => k.endsWith(`/${upload.id}`) && !k.startsWith("pending/"))!;
    expect(key).toEqual(expect.any(String));
    await expect(room.send(a.userId, "again", { attachments: [upload.id] })).rejects.toMatchObject({ code: "invalid_request" });
    await expect(room.send(b.userId, "not mine", { attachments: [upload.id] })).rejects.toMatchObject({ code: "invalid_request" });
    const elsewhere = await f.open();
    const foreign = await elsewhere.room.upload(elsewhere.a.userId, { filename: "f.txt", contentType: "text/plain", size: 1 });
    files.put(`pending/${foreign.id}`, "text/plain", new Uint8Array([1]));
    await expect(room.send(a.userId, "from elsewhere", { attachments: [foreign.id] })).rejects.toMatchObject({ code: "invalid_request" });
    await room.remove(a.userId, m.message.id);
    expect(files.keys()).not.toContain(key);
  });

  it("does not exist for someone who takes no part in it (404 for every operation)", async () => {
    const { room, a, stranger } = await f.open();
    const m = await sentMessage(room.send(a.userId, "private"));
    const id = m.message.id;
    const attempts: Array<() => Promise<unknown>> = [
      () => room.send(stranger.userId, "hi"),
      () => room.history(stranger.userId, { limit: 10 }),
      () => room.changes(stranger.userId),
      () => room.edit(stranger.userId, id, "x"),
      () => room.remove(stranger.userId, id),
      () => room.react(stranger.userId, id, "👍", "added"),
      () => room.reactors(stranger.userId, id, "👍", { limit: 10 }),
      () => room.read(stranger.userId, id),
      () => room.upload(stranger.userId, { filename: "a.txt", contentType: "text/plain", size: 1 }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ code: "not_found" });
    expect(await room.history(a.userId, { limit: 10 })).toEqual([m.message]);
  });
});
