/** Which categories this person folded in the sidebar, remembered on this device (as Discord does). */
import { SvelteSet } from "svelte/reactivity";

const KEY = "agorusta.collapsed";

function stored(): string[] {
  try {
    const list: unknown = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

class Collapsed {
  #ids = new SvelteSet<string>(typeof localStorage === "undefined" ? [] : stored());

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  toggle(id: string): void {
    if (this.#ids.has(id)) this.#ids.delete(id);
    else this.#ids.add(id);
    try {
      localStorage.setItem(KEY, JSON.stringify([...this.#ids]));
    } catch {
      // Full or refused: folded for this tab only.
    }
  }
}

export const collapsed = new Collapsed();
