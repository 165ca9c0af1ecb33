/**
 * The message list's pieces (src/lib/messageList/), each on its own: what changed between two
 * renders, where the reader's place is kept, what new messages do to the view and the "N new
 * messages" count, what a screen reader hears, and whether the "New messages" divider is above.
 * The browser tests (chat, sync) drive them together in MessageList.svelte.
 */
import { describe, expect, it } from "vitest";
import { measurePlace, restorePlace, type Scroller } from "../src/lib/messageList/anchoring.ts";
import { announcementOf } from "../src/lib/messageList/announcement.ts";
import { ListChanges } from "../src/lib/messageList/changes.ts";
import { afterWatched, isAbove } from "../src/lib/messageList/divider.ts";
import { followArrivals } from "../src/lib/messageList/unseen.ts";

const ids = (...list: string[]) => list.map((id) => ({ id }));

describe("ListChanges", () => {
  it("tells the first render, history put above, and messages added at the end", () => {
    const changes = new ListChanges<{ id: string }>();
    expect(changes.next(ids("c", "d"))).toEqual({ kind: "first" });
    expect(changes.next(ids("a", "b", "c", "d"))).toEqual({ kind: "prepended" });
    expect(changes.next(ids("a", "b", "c", "d", "e", "f"))).toEqual({ kind: "updated", appended: ids("e", "f") });
  });

  it("counts nothing as appended for an edit or a deletion, and only the new end when both ends grew", () => {
    const changes = new ListChanges<{ id: string }>();
    changes.next(ids("b", "c", "d"));
    expect(changes.next(ids("b", "d"))).toEqual({ kind: "updated", appended: [] });
    expect(changes.next(ids("b", "d"))).toEqual({ kind: "updated", appended: [] });
    // A catch-up that restarted from the newest page: older and newer at once is not a prepend.
    expect(changes.next(ids("a", "b", "d", "e"))).toEqual({ kind: "updated", appended: ids("e") });
  });

  it("takes a message that replaced its placeholder (a new id at the end) as appended", () => {
    const changes = new ListChanges<{ id: string }>();
    changes.next(ids("a", "pending-1"));
    expect(changes.next(ids("a", "b"))).toEqual({ kind: "updated", appended: ids("b") });
  });
});

/**
 * A scrolling list of rows of `rowHeight` px, `height` px tall on screen at y = 0: enough of a
 * scroller for the anchoring's reads and writes. `rows` may change between measure and restore.
 */
function fakeScroller(rowIds: string[], { height = 100, rowHeight = 20, scrollTop = 0 } = {}) {
  const state = { rowIds, scrollTop };
  const rowTop = (id: string) => state.rowIds.indexOf(id) * rowHeight - state.scrollTop;
  const row = (id: string) => ({
    dataset: { messageId: id },
    getBoundingClientRect: () => ({ top: rowTop(id), bottom: rowTop(id) + rowHeight }),
  });
  const el = {
    get scrollHeight() {
      return state.rowIds.length * rowHeight;
    },
    get scrollTop() {
      return state.scrollTop;
    },
    set scrollTop(value: number) {
      state.scrollTop = value;
    },
    clientHeight: height,
    getBoundingClientRect: () => ({ top: 0, bottom: height }),
    querySelectorAll: () => state.rowIds.map(row),
    querySelector: (selector: string) => {
      const id = /data-message-id="([^"]+)"/.exec(selector)?.[1];
      return id && state.rowIds.includes(id) ? row(id) : null;
    },
  };
  return { el: el as unknown as Scroller, state };
}

describe("anchoring", () => {
  const rows = (n: number, prefix = "m") => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it("follows the end within the stick distance, and remembers no anchor then", () => {
    const { el } = fakeScroller(rows(20), { scrollTop: 260 }); // 400 of content, 100 shown: 40 px from the end
    expect(measurePlace(el, 48)).toEqual({ fromEnd: 140, following: true, anchor: null });
    expect(measurePlace(el, 30).following).toBe(false);
  });

  it("keeps the distance from the end when history is put above: what was on screen stays", () => {
    const { el, state } = fakeScroller(rows(20), { scrollTop: 0 });
    const place = measurePlace(el, 48);
    state.rowIds = [...rows(10, "old"), ...state.rowIds];
    restorePlace(el, place, true);
    expect(state.scrollTop).toBe(200);
    expect(el.querySelector('li[data-message-id="m0"]')!.getBoundingClientRect().top).toBe(0);
  });

  it("keeps the message a reader looks at in place when rows above it go or come", () => {
    const { el, state } = fakeScroller(rows(20), { scrollTop: 110 }); // m5 is cut at the top, its bottom shows
    const place = measurePlace(el, 48);
    expect(place.anchor).toEqual({ id: "m5", top: -10 });
    state.rowIds = state.rowIds.filter((id) => id !== "m1" && id !== "m2"); // deleted during a drop
    restorePlace(el, place, false);
    expect(el.querySelector('li[data-message-id="m5"]')!.getBoundingClientRect().top).toBe(-10);
    expect(state.scrollTop).toBe(70);
  });
});

describe("followArrivals", () => {
  const from = (...authors: string[]) => authors.map((authorId) => ({ authorId }));

  it("follows new messages down for a reader at the bottom", () => {
    expect(followArrivals(from("bob"), "me", true)).toEqual({ scroll: true });
  });

  it("counts others' messages for a reader up in the history, and does not move them", () => {
    expect(followArrivals(from("bob", "carol"), "me", false)).toEqual({ scroll: false, unseen: 2 });
  });

  it("always brings the reader down to their own message", () => {
    expect(followArrivals(from("bob", "me"), "me", false)).toEqual({ scroll: true });
  });
});

describe("announcementOf", () => {
  const msg = (authorId: string, content: string) => ({ authorId, author: { username: authorId }, content });

  it("reads the newest message someone else wrote, with its author", () => {
    expect(announcementOf([msg("bob", "hi"), msg("carol", "hello"), msg("me", "mine")], "me")).toBe("carol: hello");
  });

  it("says nothing of one's own messages", () => {
    expect(announcementOf([msg("me", "mine")], "me")).toBeNull();
    expect(announcementOf([], "me")).toBeNull();
  });
});

describe("isAbove", () => {
  const box = (top: number, bottom: number) => ({ getBoundingClientRect: () => ({ top, bottom }) as DOMRect });

  it("says whether the divider is scrolled past, above the view", () => {
    expect(isAbove(box(-40, -20), box(0, 500))).toBe(true);
    expect(isAbove(box(-10, 10), box(0, 500))).toBe(false);
    expect(isAbove(box(100, 120), box(0, 500))).toBe(false);
  });

  it("is false without a divider (nothing unread) or before the list is there", () => {
    expect(isAbove(undefined, box(0, 500))).toBe(false);
    expect(isAbove(box(-40, -20), undefined)).toBe(false);
  });
});

describe("afterWatched", () => {
  // Ids sort like the ULIDs they stand for.
  it("moves the divider past messages that arrived in view when it marked nothing older", () => {
    // Nothing was new (read up to 05); 06 and 07 came while the reader watched.
    expect(afterWatched({ after: "05", firstUnread: "06", unreadAbove: false }, "05", "07")).toBe("07");
    // Read up to 03, then the reader's own 04 (no divider for it), then 05 in view.
    expect(afterWatched({ after: "03", firstUnread: "05", unreadAbove: false }, "04", "05")).toBe("05");
    expect(afterWatched({ after: null, firstUnread: null, unreadAbove: false }, "04", "05")).toBe("05");
  });

  it("keeps a divider that marks messages which were there before (opened unread, or came while the reader looked away)", () => {
    expect(afterWatched({ after: "02", firstUnread: "03", unreadAbove: false }, "05", "06")).toBe("02");
    expect(afterWatched({ after: "02", firstUnread: "05", unreadAbove: false }, "05", "06")).toBe("02");
    // New messages begin above the loaded ones: the jump control still leads there.
    expect(afterWatched({ after: "01", firstUnread: null, unreadAbove: true }, "05", "06")).toBe("01");
  });
});
