/**
 * Messages that arrived at the end: does the view follow them down, or do they add to the
 * "N new messages" button? One's own message always brings the reader down (they just sent it);
 * others do while the reader was at the bottom.
 */
export function followArrivals(appended: readonly { authorId: string }[], me: string | undefined, wasFollowing: boolean): { scroll: true } | { scroll: false; unseen: number } {
  const others = appended.filter((m) => m.authorId !== me).length;
  if (wasFollowing || others < appended.length) return { scroll: true };
  return { scroll: false, unseen: others };
}
