/**
 * The supervisor behind `npm start`'s DynamoDB Local: how it gives up (the restart itself is
 * proven end to end in main.test.ts, by killing the JVM under the real entry point).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoLocalGaveUpError, startDynamoLocal } from "../src/dynamoLocal.ts";

describe("DynamoDB Local's supervisor", () => {
  it("past its restart budget, stops with one sentence instead of looping", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agorusta-ddb-"));
    let gaveUp: DynamoLocalGaveUpError | undefined;
    const restarted: Array<number | undefined> = [];
    const dynamo = await startDynamoLocal({
      dataDir: join(dir, "db"),
      supervise: { maxRestarts: 1, onGiveUp: (e) => (gaveUp = e), onRestart: (pid) => restarted.push(pid) },
    });
    try {
      expect(statSync(join(dir, "db")).mode & 0o777).toBe(0o700);
      const first = dynamo.pid!;
      process.kill(first, "SIGKILL");
      await expect.poll(() => dynamo.restarts, { timeout: 60_000 }).toBe(1);
      expect(restarted).toEqual([dynamo.pid]);
      expect(dynamo.pid).not.toBe(first);
      expect((await fetch(dynamo.endpoint, { method: "POST" })).status).toBe(400); // it answers again
      process.kill(dynamo.pid!, "SIGKILL");
      await expect.poll(() => gaveUp, { timeout: 60_000 }).toBeInstanceOf(DynamoLocalGaveUpError);
      expect(gaveUp!.message).toMatch(/^DynamoDB Local stopped 2 times within 60 s, so Agorusta stopped too: .*start again\.$/);
      expect(dynamo.restarts).toBe(1);
    } finally {
      await dynamo.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
