/**
 * "alice is typing…": how often one says it, how long it shows, and how it reads. No Svelte: the
 * unit tests import it directly.
 */

/**
 * While someone types, at most one `typing` frame this often: a busy channel's fan-out stays
 * small. The server relays at most one per 3 s per connection and channel and drops the rest
 * (api.md "Sessions and safety"); a quarter second more keeps network jitter from bringing two
 * frames closer than that when they arrive.
 */
export const TYPING_EVERY_MS = 3_250;
/** How long a typing event shows: longer than the sender's interval, so a steady typist never flickers. */
export const TYPING_SHOWN_MS = 5_000;

/** The line under the composer: who (in bold) and the rest; three or more are not named. */
export function typingLine(names: readonly string[]): { who: string[]; rest: string } | null {
  if (names.length === 0) return null;
  if (names.length > 2) return { who: [], rest: "Several people are typing…" };
  return { who: [...names], rest: names.length === 1 ? "is typing…" : "are typing…" };
}

interface Timers {
  now(): number;
  later(run: () => void, ms: number): unknown;
  cancel(handle: unknown): void;
}
const realTimers: Timers = {
  now: Date.now,
  later: (run, ms) => setTimeout(run, ms),
  cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Lets `call` through at most once per `everyMs`. A call inside the interval is not lost: one
 * runs when the interval ends (so someone who starts typing again just after a frame is still
 * shown, once the server will relay it). `reset` forgets that pending call (a message went: what
 * was typed is said), but not when the last one ran, which is what the server counts from.
 */
export function throttle(fn: () => void, everyMs: number, timers: Timers = realTimers) {
  let last = -Infinity;
  let pending: unknown = null;
  const run = () => {
    pending = null;
    last = timers.now();
    fn();
  };
  return {
    call(): void {
      const wait = last + everyMs - timers.now();
      if (wait <= 0) return run();
      pending ??= timers.later(run, wait);
    },
    reset(): void {
      if (pending !== null) timers.cancel(pending);
      pending = null;
    },
  };
}
