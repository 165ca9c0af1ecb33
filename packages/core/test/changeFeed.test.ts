/**
 * The change feed's guarantee (api.md "Change feeds"): every change committed after a cursor's
 * position comes back for that cursor, whichever Lambda wrote it and however wrong its clock.
 * Writers here are separate `Db`s over one table, each with its own clock (seconds apart, as
 * Lambdas on different hosts), sending, editing and deleting at once; readers poll with their
 * cursors all the while, a few changes a page.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../src/index.ts";
import { skewedClock } from "../src/store/time.ts";
import { register } from "../src/accounts/account.ts";
import { addMember } from "../src/servers/joining.ts";
import { createServer } from "../src/servers/server.ts";
import { deleteMessage, editMessage } from "../src/conversations/edits.ts";
import { listChanges, listMessages } from "../src/conversations/pages.ts";
import { sendMessage } from "../src/conversations/send.ts";
import { channel } from "../src/conversations/kinds/channel.ts";
import type { Message } from "../src/views.ts";
import { freshDb, stores } from "./harness.ts";

/** The position a cursor names (its format is the feed's business; the test reads it to check coverage). */
const positionOf = (cursor: string) => Number(Buffer.from(cursor, "base64url").toString().split(".")[2]);

/** What a writer committed: the feed position and the state it left the message in. */
interface Committed {
  seq: number;
  messageId: string;
  revision: number | "deleted";
}

interface Poll {
  /** Asked while writers were still writing. */
  during: boolean;
  since: number;
  until: number;
  seen: Map<string, number | "deleted">;
}

const OFFSETS_MS = [-7_000, -2_500, 0, 4_000];
const OPS_PER_WRITER = 30;
const READERS = 3;

let base: Awaited<ReturnType<typeof freshDb>>;
let serverId: string;
let channelId: string;
let writers: { db: Db; userId: string }[];
let ownerId: string;

beforeAll(async () => {
  base = await freshDb();
  const { user: owner } = await register(base.db, { email: "owner@example.com", username: "owner", password: "correct horse battery" });
  ownerId = owner.userId;
  const server = await createServer(base.db, owner, "skew");
  serverId = server.id;
  const { data: channels } = await base.db.entities.channels.query.byServer({ serverId }).go();
  channelId = channels[0]!.channelId;
  const serverItem = (await base.db.entities.servers.get({ serverId }).go()).data!;
  writers = await Promise.all(
    OFFSETS_MS.map(async (offset, i) => {
      const { user } = await register(base.db, { email: `w${i}@example.com`, username: `writer${i}`, password: "correct horse battery" });
      await addMember(base.db, serverItem, user);
      // Its own Db: another Lambda, with another clock, over the same table.
      return { db: createDb(base.dynamo.document, base.tableName, skewedClock(offset)), userId: user.userId };
    }),
  );
});

async function write(w: { db: Db; userId: string }, i: number, log: Committed[], mine: Message[]) {
  const input = { serverId, channelId, userId: w.userId };
  const roll = (i * 7 + w.userId.charCodeAt(25)) % 10;
  const target = mine.length ? mine[(i * 13) % mine.length]! : null;
  if (target && roll < 3) {
    const { message, cursor } = await editMessage(stores(w.db), channel, input, { ...input, messageId: target.id, content: `${target.content} (edit ${i})` });
    log.push({ seq: positionOf(cursor), messageId: message.id, revision: message.revision });
    mine[mine.indexOf(target)] = message;
  } else if (target && roll < 4) {
    const { cursor } = await deleteMessage(stores(w.db), channel, input, { ...input, messageId: target.id });
    log.push({ seq: positionOf(cursor), messageId: target.id, revision: "deleted" });
    mine.splice(mine.indexOf(target), 1);
  } else {
    const sent = await sendMessage(stores(w.db), channel, input, { ...input, content: `from ${w.userId.slice(-4)} #${i}` });
    if (!sent.created) throw new Error("no nonce was sent");
    log.push({ seq: positionOf(sent.cursor), messageId: sent.message.id, revision: 1 });
    mine.push(sent.message);
  }
}

/** Polls from the head taken before any write until the writers are done and the feed is drained. */
async function read(db: Db, done: () => boolean): Promise<Poll[]> {
  const polls: Poll[] = [];
  let cursor = (await listChanges(stores(db), channel, { serverId, channelId }, { userId: ownerId, limit: 5 })).cursor;
  for (;;) {
    const finished = done();
    const page = await listChanges(stores(db), channel, { serverId, channelId }, { userId: ownerId, since: cursor, limit: 5 });
    const seen = new Map<string, number | "deleted">();
    for (const c of page.changes) seen.set(c.type === "message" ? c.message.id : c.messageId, c.type === "message" ? c.message.revision : "deleted");
    polls.push({ during: !finished, since: positionOf(cursor), until: positionOf(page.cursor), seen });
    cursor = page.cursor;
    if (finished && !page.hasMore) return polls;
    // A breath between polls, at random, so polls land between writes at varied points.
    await new Promise((r) => setTimeout(r, Math.random() * 15));
  }
}

describe("the change feed under skewed clocks", () => {
  it("gives every reader every change committed after its cursor, with no gap, however the writers' clocks disagree", async () => {
    const log: Committed[] = [];
    let writing = true;
    // Readers start from the head before any write, on a Db with yet another clock.
    const readerDb = createDb(base.dynamo.document, base.tableName, skewedClock(-1_000));
    const readers = Array.from({ length: READERS }, () => read(readerDb, () => !writing));
    await Promise.all(
      writers.map(async (w) => {
        const mine: Message[] = [];
        for (let i = 0; i < OPS_PER_WRITER; i++) await write(w, i, log, mine);
      }),
    );
    writing = false;
    const allPolls = await Promise.all(readers);

    // Positions are exactly 1..n: one per committed change, none skipped, none shared.
    const n = writers.length * OPS_PER_WRITER;
    expect(log.map((c) => c.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    const bySeq = [...log].sort((a, b) => a.seq - b.seq);

    for (const polls of allPolls) {
      // Each reader's polls chain from 0 to the last position.
      expect(polls[0]!.since).toBe(0);
      polls.forEach((p, i) => i > 0 && expect(p.since).toBe(polls[i - 1]!.until));
      expect(polls.at(-1)!.until).toBe(n);
      // They really interleaved: polls during the writes brought changes back.
      expect(polls.filter((p) => p.during && p.until > p.since).length).toBeGreaterThan(3);
      // The guarantee: a change at position s shows in the poll that covers s, in that state or a later one.
      for (const change of bySeq) {
        const poll = polls.find((p) => p.since < change.seq && change.seq <= p.until)!;
        const seen = poll.seen.get(change.messageId);
        if (change.revision === "deleted") expect(seen, `seq ${change.seq}`).toBe("deleted");
        else expect(seen === "deleted" || (seen !== undefined && seen >= change.revision), `seq ${change.seq}`).toBe(true);
      }
      // Replaying the polls gives exactly the channel as it now is.
      const state = new Map<string, number>();
      for (const p of polls) for (const [id, rev] of p.seen) rev === "deleted" ? state.delete(id) : state.set(id, rev);
      const truth = await listMessages(stores(base.db), channel, { serverId, channelId }, { userId: ownerId, limit: 100 });
      const more = await listMessages(stores(base.db), channel, { serverId, channelId }, { userId: ownerId, limit: 100, before: truth[0]?.id });
      const all = [...more, ...truth];
      expect(new Map(all.map((m) => [m.id, m.revision]))).toEqual(state);
    }

    // The clocks really disagreed: some message was stamped earlier than one committed before it...
    const created = bySeq.filter((c) => c.revision === 1);
    const stamps = await Promise.all(
      created.map(async (c) => (await base.db.entities.changes.get({ conversationId: channelId, seq: c.seq }).go()).data!.committedAt),
    );
    expect(stamps.some((t, i) => i > 0 && t < stamps[i - 1]!)).toBe(true);
    // ...yet message ids grew in commit order, so history pages and read positions follow the feed.
    const ids = created.map((c) => c.messageId);
    expect([...ids].sort()).toEqual(ids);
  }, 180_000);
});
