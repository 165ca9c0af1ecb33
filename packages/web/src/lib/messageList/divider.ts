/**
 * The "New messages" divider: whether it is above what the reader sees (scrolled past, upwards),
 * which with unread messages loaded shows the "Jump to first unread" bar.
 */
export function isAbove(divider: Pick<Element, "getBoundingClientRect"> | undefined, scroller: Pick<Element, "getBoundingClientRect"> | undefined): boolean {
  return !!divider && !!scroller && divider.getBoundingClientRect().bottom < scroller.getBoundingClientRect().top;
}

/** Where the divider stands: what it is after, and where it shows (reading.svelte.ts). */
export interface DividerPlace {
  /** Messages after this one were new to the reader (null: never read here). */
  after: string | null;
  /** The message the divider shows above, if loaded. */
  firstUnread: string | null;
  /** New messages begin above what is loaded. */
  unreadAbove: boolean;
}

/**
 * Messages arrived at the end while the reader watched them come (the tab visible and focused,
 * the list at its newest message): they were seen as they came, so none of them is new. The
 * divider moves past them (returns the new `after`) unless it already marks messages that were
 * there before they came (`seenTo`: the newest message the reader was watching), which it keeps
 * marking.
 */
export function afterWatched(place: DividerPlace, seenTo: string, newest: string): string | null {
  const marksOlder = place.unreadAbove || (place.firstUnread !== null && place.firstUnread <= seenTo);
  return marksOlder ? place.after : newest;
}
