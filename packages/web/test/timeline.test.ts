import { describe, expect, it } from "vitest";
import { GROUP_GAP_MS, layoutRows, mergeById, untilLabel, withinLoaded } from "../src/lib/timeline.ts";

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 24, 10, 0) + minutes * 60_000).toISOString();
const msg = (id: string, authorId: string, minutes: number) => ({ id, authorId, createdAt: at(minutes) });

describe("mergeById", () => {
  it("appends newer messages and puts older pages before, without duplicates", () => {
    const shown = [msg("01B", "a", 1), msg("01C", "a", 2)];
    expect(mergeById(shown, [msg("01D", "b", 3)]).map((m) => m.id)).toEqual(["01B", "01C", "01D"]);
    expect(mergeById(shown, [msg("01A", "b", 0), msg("01B", "a", 1)]).map((m) => m.id)).toEqual(["01A", "01B", "01C"]);
    expect(mergeById(shown, [msg("01C", "a", 2)]).map((m) => m.id)).toEqual(["01B", "01C"]);
  });

  it("takes the incoming copy of a message already shown", () => {
    const merged = mergeById([{ id: "01A", content: "old" }], [{ id: "01A", content: "new" }]);
    expect(merged).toEqual([{ id: "01A", content: "new" }]);
  });

  it("keeps the later version of an edited message, whichever copy comes last", () => {
    const before = { id: "01A", content: "draft", editedAt: null };
    const edited = { id: "01A", content: "final", editedAt: "2026-11-24T10:05:00.000Z" };
    const older = [{ id: "00Z", content: "earlier", editedAt: null }];
    // A page fetched before the edit arrives after it: the edit stays.
    expect(mergeById([...older, edited], [...older, before])).toEqual([...older, edited]);
    expect(mergeById([...older, before], [...older, edited])).toEqual([...older, edited]);
  });

  it("keeps the higher revision, whichever copy comes last, even when edits share a timestamp", () => {
    const v2 = { id: "01A", content: "two", editedAt: "2026-11-24T10:05:00.000Z", revision: 2 };
    const v3 = { id: "01A", content: "three", editedAt: "2026-11-24T10:05:00.000Z", revision: 3 };
    expect(mergeById([v3], [v2])).toEqual([v3]);
    expect(mergeById([v2], [v3])).toEqual([v3]);
    // A reaction changes the revision, not editedAt.
    const reacted = { id: "01A", content: "three", editedAt: "2026-11-24T10:05:00.000Z", revision: 4 };
    expect(mergeById([v3], [reacted])).toEqual([reacted]);
    // The same revision twice: the same state, either copy.
    expect(mergeById([v3], [{ ...v3 }])).toEqual([v3]);
  });

  it("returns the same list when nothing comes in", () => {
    const shown = [msg("01A", "a", 0)];
    expect(mergeById(shown, [])).toBe(shown);
  });
});

describe("layoutRows", () => {
  it("starts a group at a new author, after a pause, and on a new day", () => {
    const rows = layoutRows([
      msg("1", "alice", 0),
      msg("2", "alice", 1),
      msg("3", "bob", 2),
      msg("4", "bob", 2 + GROUP_GAP_MS / 60_000 + 1),
      msg("5", "bob", 24 * 60),
    ]);
    expect(rows.map((r) => r.header)).toEqual([true, false, true, true, true]);
    expect(rows.map((r) => r.day !== null)).toEqual([true, false, false, false, true]);
  });
});

describe("layoutRows at the New messages divider", () => {
  it("starts a group at the first new message, so its author shows below the divider", () => {
    const run = [msg("1", "alice", 0), msg("2", "alice", 1), msg("3", "alice", 2)];
    expect(layoutRows(run).map((r) => r.header)).toEqual([true, false, false]);
    expect(layoutRows(run, "2").map((r) => r.header)).toEqual([true, true, false]);
    expect(layoutRows(run, "9").map((r) => r.header)).toEqual([true, false, false]);
  });
});

describe("untilLabel", () => {
  const now = Date.UTC(2026, 10, 24, 10, 0);
  it.each([
    [null, "Never"],
    [new Date(now - 1000).toISOString(), "Expired"],
    [new Date(now + 30 * 60_000).toISOString(), "in 30 minutes"],
    [new Date(now + 24 * 3600_000).toISOString(), "in 24 hours"],
    [new Date(now + 7 * 86_400_000).toISOString(), "in 7 days"],
  ])("says %s is %s", (iso, label) => {
    expect(untilLabel(iso, now)).toBe(label);
  });
});

describe("withinLoaded", () => {
  const loaded = [{ id: "01C" }, { id: "01F" }];
  it("takes changes inside or after the loaded span, not older than it, unless the history is complete", () => {
    expect(withinLoaded("01D", loaded, false)).toBe(true);
    expect(withinLoaded("01G", loaded, false)).toBe(true);
    expect(withinLoaded("01B", loaded, false)).toBe(false);
    expect(withinLoaded("01B", loaded, true)).toBe(true);
    expect(withinLoaded("01B", [], false)).toBe(false);
    expect(withinLoaded("01B", [], true)).toBe(true);
  });
});
