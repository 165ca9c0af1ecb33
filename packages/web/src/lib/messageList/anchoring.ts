/**
 * Scroll anchoring: the reader's place is measured before the list changes and restored after,
 * since the browser's own anchoring is off for the list (it fights the code that keeps a reader
 * at the bottom). DOM reads and writes only, over the few properties it needs, so the unit tests
 * can hand it a stand-in.
 */

/** The parts of the scrolling element this reads and sets. */
export type Scroller = Pick<HTMLElement, "scrollHeight" | "scrollTop" | "clientHeight" | "getBoundingClientRect" | "querySelectorAll" | "querySelector">;

/** The first message row visible at the top of the list, and where it was on screen. */
export interface Anchor {
  id: string;
  top: number;
}

export interface Place {
  /** From the top of the view to the end of the content: kept when history is put above. */
  fromEnd: number;
  /** Within `stickPx` of the end: the view follows new messages. */
  following: boolean;
  /** What a reader up in the history looks at (none for one who follows). */
  anchor: Anchor | null;
}

export const distanceFromBottom = (el: Scroller) => el.scrollHeight - el.scrollTop - el.clientHeight;

/** Before the DOM changes. */
export function measurePlace(el: Scroller, stickPx: number): Place {
  const following = distanceFromBottom(el) <= stickPx;
  return { fromEnd: el.scrollHeight - el.scrollTop, following, anchor: following ? null : topmostShown(el) };
}

/**
 * After the DOM changed: history put above keeps the same distance from the end (what was on
 * screen stays there); any other change keeps the message the reader looked at where it was,
 * whatever changed above it (a catch-up's deletions and edits).
 */
export function restorePlace(el: Scroller, place: Place, prepended: boolean): void {
  if (prepended) el.scrollTop = el.scrollHeight - place.fromEnd;
  else if (place.anchor) keepInPlace(el, place.anchor);
}

function topmostShown(el: Scroller): Anchor | null {
  const top = el.getBoundingClientRect().top;
  for (const row of el.querySelectorAll<HTMLElement>("li[data-message-id]")) {
    const box = row.getBoundingClientRect();
    if (box.bottom > top) return { id: row.dataset.messageId!, top: box.top };
  }
  return null;
}

function keepInPlace(el: Scroller, anchor: Anchor): void {
  const row = el.querySelector<HTMLElement>(`li[data-message-id="${anchor.id}"]`);
  if (row) el.scrollTop += row.getBoundingClientRect().top - anchor.top;
}
