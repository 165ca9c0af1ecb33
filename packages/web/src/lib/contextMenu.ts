/**
 * What opens a context menu, and where it goes: a right-click, the keyboard's menu key or
 * Shift+F10 (both fire `contextmenu`), or a long press on a touch screen. No Svelte state: the
 * unit tests import `placeMenu` directly.
 */
import type { IconName } from "./components/Icon.svelte";

/** One entry of a `ContextMenu`. */
export interface MenuItem {
  label: string;
  icon?: IconName;
  /** Drawn in the danger colour (kick, ban, delete). */
  danger?: boolean;
  /** A line above this item, to set it apart from the ones before. */
  separated?: boolean;
  onselect: () => void;
}

/** Where a menu opens (viewport pixels) and what opened it (focus goes back there on close). */
export interface MenuOpening {
  x: number;
  y: number;
  opener: HTMLElement;
}

/** How long a finger rests before a touch becomes a long press, as on Android and iOS. */
export const LONG_PRESS_MS = 500;
/** A finger that moves farther than this is scrolling, not pressing. */
const LONG_PRESS_SLOP = 10;

/**
 * `use:menuTrigger={open}`: calls `open` with where to put the menu. The browser's own menu is
 * suppressed only where ours opens. A long press is followed by the browser's synthetic click
 * and contextmenu; both are swallowed so the press does not also activate what was pressed.
 */
export function menuTrigger(node: HTMLElement, open: (at: MenuOpening) => void) {
  let handler = open;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let start = { x: 0, y: 0 };
  let pressed = false;

  const cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const oncontextmenu = (e: MouseEvent) => {
    e.preventDefault();
    if (pressed) return; // the long press already opened it
    // From the keyboard (menu key, Shift+F10) there is no pointer: open at the focused element.
    const keyboard = e.clientX === 0 && e.clientY === 0;
    const target = (document.activeElement instanceof HTMLElement && node.contains(document.activeElement) ? document.activeElement : node);
    const r = target.getBoundingClientRect();
    handler(keyboard ? { x: r.left + 16, y: r.bottom, opener: target } : { x: e.clientX, y: e.clientY, opener: target });
  };
  const onpointerdown = (e: PointerEvent) => {
    pressed = false;
    if (e.pointerType !== "touch") return;
    start = { x: e.clientX, y: e.clientY };
    cancel();
    timer = setTimeout(() => {
      timer = null;
      pressed = true;
      handler({ x: start.x, y: start.y, opener: node });
    }, LONG_PRESS_MS);
  };
  const onpointermove = (e: PointerEvent) => {
    if (timer && Math.hypot(e.clientX - start.x, e.clientY - start.y) > LONG_PRESS_SLOP) cancel();
  };
  const onclick = (e: MouseEvent) => {
    if (!pressed) return;
    pressed = false;
    e.preventDefault();
    e.stopPropagation();
  };
  node.addEventListener("contextmenu", oncontextmenu);
  node.addEventListener("pointerdown", onpointerdown);
  node.addEventListener("pointermove", onpointermove);
  node.addEventListener("pointerup", cancel);
  node.addEventListener("pointercancel", cancel);
  node.addEventListener("click", onclick, true);
  return {
    update(next: (at: MenuOpening) => void) {
      handler = next;
    },
    destroy() {
      cancel();
      node.removeEventListener("contextmenu", oncontextmenu);
      node.removeEventListener("pointerdown", onpointerdown);
      node.removeEventListener("pointermove", onpointermove);
      node.removeEventListener("pointerup", cancel);
      node.removeEventListener("pointercancel", cancel);
      node.removeEventListener("click", onclick, true);
    },
  };
}

/**
 * The menu's top-left corner: at the pointer, moved left or up as far as it takes to stay
 * `margin` inside the viewport (a menu opened near the right edge opens leftwards, as in Discord).
 */
export function placeMenu(
  at: { x: number; y: number },
  size: { width: number; height: number },
  viewport: { width: number; height: number },
  margin = 8,
): { left: number; top: number } {
  const left = at.x + size.width + margin > viewport.width ? at.x - size.width : at.x;
  const top = at.y + size.height + margin > viewport.height ? at.y - size.height : at.y;
  return {
    left: Math.max(margin, Math.min(left, viewport.width - size.width - margin)),
    top: Math.max(margin, Math.min(top, viewport.height - size.height - margin)),
  };
}
