/**
 * The "New messages" divider: whether it is above what the reader sees (scrolled past, upwards),
 * which with unread messages loaded shows the "Jump to first unread" bar.
 */
export function isAbove(divider: Pick<Element, "getBoundingClientRect"> | undefined, scroller: Pick<Element, "getBoundingClientRect"> | undefined): boolean {
  return !!divider && !!scroller && divider.getBoundingClientRect().bottom < scroller.getBoundingClientRect().top;
}
