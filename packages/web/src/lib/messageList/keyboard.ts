/**
 * The message list as one Tab stop (a roving tabindex, docs/decisions.md "Messages by keyboard"):
 * one stored message is in the Tab order (the one last focused, else the newest), every other row
 * and every control inside a row are not; the list's keys move between rows and into the focused
 * row's controls. No Svelte: plain DOM over the rows `MessageRow` draws.
 */

/** A stored message's row (pending ones have no tabindex: nothing to act on yet). */
export const ROW = "li[data-message-id][tabindex]";
const FOCUSABLE = "a[href], button, input, textarea, select, summary, [tabindex]";
/** Widgets that keep their own keys and Tab order, even when drawn inside a row. */
const OWN_KEYS = "dialog, [role=dialog], [role=menu], [popover]";
const TEXT_FIELD = "input, textarea, select, [contenteditable]";

export const rowsOf = (list: Element) => [...list.querySelectorAll<HTMLElement>(ROW)];

/** The row's controls in reading order, its actions' toolbar counted once (as its first action). */
export function controlsOf(row: HTMLElement): HTMLElement[] {
  const found: HTMLElement[] = [];
  for (const el of row.querySelectorAll<HTMLElement>(FOCUSABLE)) {
    if (el.closest(OWN_KEYS) || el.matches(":disabled") || !el.checkVisibility()) continue;
    const toolbar = el.closest("[role=toolbar]");
    if (toolbar && found.some((f) => toolbar.contains(f))) continue;
    found.push(el);
  }
  return found;
}

export const actionsOf = (row: HTMLElement) => [...row.querySelectorAll<HTMLElement>("[role=toolbar] button")];

/**
 * Takes every control inside the rows out of the Tab order (`tabindex="-1"`), now and as rows and
 * their contents arrive: a control whatever component draws it (a link in a message, a reaction,
 * a name one can click). Widgets with keys of their own (a dialog, a menu) keep theirs.
 * A Svelte attachment for the list; returns its cleanup.
 */
export function rowControlsOutOfTabOrder(list: HTMLElement): () => void {
  const demote = (el: Element) => {
    if (el instanceof HTMLElement && el.matches(FOCUSABLE) && !el.matches(ROW) && el.closest(ROW) && !el.closest(OWN_KEYS) && el.tabIndex >= 0) {
      el.tabIndex = -1;
    }
  };
  const demoteAll = (root: Element) => {
    demote(root);
    for (const el of root.querySelectorAll(FOCUSABLE)) demote(el);
  };
  demoteAll(list);
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") demote(record.target as Element);
      else for (const node of record.addedNodes) if (node instanceof Element) demoteAll(node);
    }
  });
  observer.observe(list, { childList: true, subtree: true, attributes: true, attributeFilter: ["tabindex", "href"] });
  return () => observer.disconnect();
}

/**
 * What a key does in the list (see the key map in docs/decisions.md); returns the element to
 * focus, or null when the key is not the list's (the browser or a widget does its own thing).
 */
export function keyTarget(list: HTMLElement, e: KeyboardEvent): HTMLElement | null {
  const target = e.target as HTMLElement;
  const row = target.closest<HTMLElement>(ROW);
  if (!row || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || target.closest(OWN_KEYS)) return null;
  const onRow = target === row;
  const inText = target.matches(TEXT_FIELD);
  const rows = rowsOf(list);
  const at = rows.indexOf(row);
  const actions = actionsOf(row);
  const inActions = actions.includes(target);

  if (e.key === "Tab") {
    const controls = controlsOf(row);
    const toolbar = target.closest("[role=toolbar]");
    const here = onRow ? -1 : controls.findIndex((c) => c === target || (toolbar?.contains(c) ?? false));
    if (e.shiftKey) return onRow ? null : (controls[here - 1] ?? row);
    // Past the last control the browser's own Tab leaves the list: nothing else in it is a Tab stop.
    return controls[here + 1] ?? null;
  }
  if (inText) return null;
  switch (e.key) {
    // At either end the browser scrolls the list (reaching the top loads older history).
    case "ArrowUp":
      return rows[at - 1] ?? null;
    case "ArrowDown":
      return rows[at + 1] ?? null;
    case "Home":
      return onRow ? (rows[0] ?? null) : inActions ? actions[0]! : null;
    case "End":
      return onRow ? (rows.at(-1) ?? null) : inActions ? actions.at(-1)! : null;
    case "ArrowRight":
      if (onRow) return actions[0] ?? null;
      return inActions ? actions[(actions.indexOf(target) + 1) % actions.length]! : null;
    case "ArrowLeft":
      if (onRow) return actions.at(-1) ?? null;
      return inActions ? actions[(actions.indexOf(target) - 1 + actions.length) % actions.length]! : null;
    case "Escape":
      return onRow ? null : row;
  }
  return null;
}
