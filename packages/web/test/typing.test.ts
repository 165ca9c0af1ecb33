import { describe, expect, it } from "vitest";
import { throttle, typingLine } from "../src/lib/typing.ts";

describe("typingLine", () => {
  it.each([
    [[], null],
    [["alice"], { who: ["alice"], rest: "is typing…" }],
    [["alice", "bob"], { who: ["alice", "bob"], rest: "are typing…" }],
    [["alice", "bob", "carol"], { who: [], rest: "Several people are typing…" }],
  ])("reads %j as %j", (names, line) => {
    expect(typingLine(names)).toEqual(line);
  });
});

describe("throttle", () => {
  /** A clock and timers the test moves by hand. */
  function fakeTimers() {
    let now = 0;
    const due: { at: number; run: () => void; id: number }[] = [];
    let ids = 0;
    return {
      now: () => now,
      later: (run: () => void, ms: number) => {
        const id = ++ids;
        due.push({ at: now + ms, run, id });
        return id;
      },
      cancel: (id: unknown) => void due.splice(due.findIndex((d) => d.id === id) >>> 0, 1),
      advance(to: number) {
        now = to;
        for (const d of due.filter((d) => d.at <= now)) {
          due.splice(due.indexOf(d), 1);
          d.run();
        }
      },
    };
  }

  it("lets one call through per interval; one made inside it runs when it ends, once", () => {
    const clock = fakeTimers();
    const at: number[] = [];
    const t = throttle(() => at.push(clock.now()), 3250, clock);
    t.call();
    clock.advance(1000);
    t.call();
    clock.advance(2999);
    t.call();
    expect(at).toEqual([0]);
    clock.advance(3250);
    expect(at).toEqual([0, 3250]); // the calls inside the interval, said once at its end
    clock.advance(7000);
    t.call();
    expect(at).toEqual([0, 3250, 7000]);
  });

  it("reset drops the pending call but keeps the interval the server counts from", () => {
    const clock = fakeTimers();
    const at: number[] = [];
    const t = throttle(() => at.push(clock.now()), 3250, clock);
    t.call();
    clock.advance(500);
    t.call(); // pending for 3250
    t.reset(); // a message went
    clock.advance(4000);
    expect(at).toEqual([0]);
    clock.advance(4100);
    t.call();
    expect(at).toEqual([0, 4100]);
    clock.advance(4200);
    t.call(); // too soon after 4100: waits for 7350, not sent at once
    expect(at).toEqual([0, 4100]);
    clock.advance(7350);
    expect(at).toEqual([0, 4100, 7350]);
  });
});
