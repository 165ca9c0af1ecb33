/** lambda/atFirstCall.ts: what the API Lambda's queues and file store load at their first use. */
import { describe, expect, it } from "vitest";
import { atFirstCall } from "../src/lambda/atFirstCall.ts";

interface Queue {
  name: string;
  enqueue(job: string): Promise<string>;
}

describe("atFirstCall", () => {
  it("loads at the first call, once, and forwards every call to what it loaded", async () => {
    let loads = 0;
    const seen: string[] = [];
    const queue = atFirstCall<Queue>(async () => {
      loads++;
      return { name: "real", enqueue: async (job) => (seen.push(job), `queued ${job}`) };
    });
    expect(loads).toBe(0);
    expect(await Promise.all([queue.enqueue("a"), queue.enqueue("b")])).toEqual(["queued a", "queued b"]);
    expect(await queue.enqueue("c")).toBe("queued c");
    expect(loads).toBe(1);
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("answers what it is given without loading, and is no thenable", async () => {
    let loads = 0;
    const queue = atFirstCall<Queue>(async () => (loads++, { name: "real", enqueue: async () => "" }), { name: "known" });
    expect(queue.name).toBe("known");
    expect(await queue).toBe(queue);
    expect(loads).toBe(0);
  });

  it("tries the load again at the next call after one failed", async () => {
    let loads = 0;
    const queue = atFirstCall<Queue>(async () => {
      if (++loads === 1) throw new Error("chunk missing");
      return { name: "real", enqueue: async (job) => job };
    });
    await expect(queue.enqueue("a")).rejects.toThrow("chunk missing");
    expect(await queue.enqueue("b")).toBe("b");
    expect(loads).toBe(2);
  });

  it("refuses a name that is no method of what it loaded", async () => {
    const queue = atFirstCall<Queue>(async () => ({ name: "real", enqueue: async (job) => job }));
    await expect((queue as unknown as { missing(): Promise<void> }).missing()).rejects.toThrow(TypeError);
  });
});
