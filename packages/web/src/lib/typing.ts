/**
 * "alice is typing…": how often one says it, how long it shows, and how it reads. No Svelte: the
 * unit tests import it directly.
 */

/** While someone types, at most one `typing` frame this often: a busy channel's fan-out stays small. */
export const TYPING_EVERY_MS = 3_000;
/** How long a typing event shows: longer than the sender's interval, so a steady typist never flickers. */
export const TYPING_SHOWN_MS = 5_000;

/** The line under the composer: who (in bold) and the rest; three or more are not named. */
export function typingLine(names: readonly string[]): { who: string[]; rest: string } | null {
  if (names.length === 0) return null;
  if (names.length > 2) return { who: [], rest: "Several people are typing…" };
  return { who: [...names], rest: names.length === 1 ? "is typing…" : "are typing…" };
}

/** Lets `call` through at most once per `everyMs`; `reset` lets the next one through at once. */
export function throttle(fn: () => void, everyMs: number, now: () => number = Date.now) {
  let last = -Infinity;
  return {
    call(): void {
      const t = now();
      if (t - last < everyMs) return;
      last = t;
      fn();
    },
    reset(): void {
      last = -Infinity;
    },
  };
}
