/**
 * What changed in the message list between two renders, from the ids alone: the first render,
 * older history put above (nothing new at the end, a new first message), or an update that may
 * have added messages at the end (a send, a live message, a catch-up; edits and deletions add
 * none). No DOM, no Svelte: the unit tests feed it lists.
 */
export type ListChange<M> = { kind: "first" } | { kind: "prepended" } | { kind: "updated"; appended: M[] };

export class ListChanges<M extends { id: string }> {
  /** The ids the last render showed. */
  #shown: Set<string> | undefined;

  /** What `list` is, next to the list of the last call. */
  next(list: readonly M[]): ListChange<M> {
    const before = this.#shown;
    this.#shown = new Set(list.map((m) => m.id));
    if (before === undefined) return { kind: "first" };
    // The messages at the end that were not shown before: the appended ones.
    let tail = list.length;
    while (tail > 0 && !before.has(list[tail - 1]!.id)) tail--;
    const appended = list.slice(tail);
    if (appended.length === 0 && list.length > 0 && !before.has(list[0]!.id)) return { kind: "prepended" };
    return { kind: "updated", appended };
  }
}
