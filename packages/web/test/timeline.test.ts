import { describe, expect, it } from "vitest";
import { GROUP_GAP_MS, layoutRows, mergeById, untilLabel } from "../src/lib/timeline.ts";

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
