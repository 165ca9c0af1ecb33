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
  it("lets one call through per interval, and the next at once after a reset", () => {
    let now = 0;
    let calls = 0;
    const t = throttle(() => calls++, 3000, () => now);
    t.call();
    now = 1000;
    t.call();
    now = 2999;
    t.call();
    expect(calls).toBe(1);
    now = 3000;
    t.call();
    expect(calls).toBe(2);
    now = 3500;
    t.reset();
    t.call();
    expect(calls).toBe(3);
  });
});
