/**
 * The supervisor behind `npm start`'s DynamoDB Local: how it gives up, and how it brings back a
 * JVM that really ran out of memory (a killed one is proven end to end in main.test.ts, under
 * the real entry point).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BatchWriteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localDynamoConfig } from "@agorusta/core";
import { runtimeApi, TEST_SECRET } from "@agorusta/testing";
import { DynamoLocalGaveUpError, startDynamoLocal, type JvmExit } from "../src/dynamoLocal.ts";
import { startRuntime } from "../src/runtime.ts";

describe("DynamoDB Local's supervisor", () => {
  it("does not outlive the process that started it, even one killed with SIGKILL", async () => {
    // A parent of its own, killed the way no signal handler can see: the JVM must go with it.
    const module = fileURLToPath(new URL("../src/dynamoLocal.ts", import.meta.url));
    const parent = spawn(process.execPath, ["--input-type=module", "-e", `
      const { startDynamoLocal } = await import(${JSON.stringify(module)});
      const dynamo = await startDynamoLocal();
      console.log(dynamo.pid);
      setInterval(() => {}, 1000);
    `], { stdio: ["ignore", "pipe", "inherit"] });
    const jvm = await new Promise<number>((resolve, reject) => {
      parent.stdout!.once("data", (d) => resolve(Number(String(d).trim())));
      parent.once("exit", (code) => reject(new Error(`the parent exited (${code}) before DynamoDB Local started`)));
    });
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(jvm)).toBe(true);
    parent.kill("SIGKILL");
    await expect.poll(() => alive(jvm), { timeout: 30_000 }).toBe(false);
  }, 90_000);

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

  it("brings back a JVM that ran out of heap on the same data; meanwhile /api/health answers 503", async () => {
    const dir = mkdtempSync(join(tmpdir(), "agorusta-oom-"));
    // Enough heap to start and serve the app's small requests, far too little for 10 MB batches
    // (at 48 MiB one such batch exhausts it; four leave no doubt).
    const heapMb = 48;
    let died!: (exit: JvmExit) => void;
    const exited = new Promise<JvmExit>((r) => (died = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const restarted: JvmExit[] = [];
    const dynamo = await startDynamoLocal({
      dataDir: join(dir, "db"),
      heapMb,
      supervise: {
        onGiveUp: (e) => expect.fail(e.message),
        // The restart waits until the test has looked at the outage.
        onExit: (exit) => (died(exit), released),
        onRestart: (_, exit) => restarted.push(exit),
      },
    });
    const runtime = await startRuntime({ dynamoEndpoint: dynamo.endpoint, tableName: "agorusta", jwtSecret: TEST_SECRET, port: 0 });
    const api = runtimeApi(runtime);
    const health = async () => {
      const res = await fetch(`${runtime.url}/api/health`);
      return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
    };
    try {
      const before = await api.user();
      const first = dynamo.pid;

      // Four BatchWriteItems of 25 items of 390 KB each (under DynamoDB's 400 KB item and 16 MB
      // request limits: requests any client may send), at once, straight to the table.
      const raw = new DynamoDBClient({ ...localDynamoConfig(dynamo.endpoint), maxAttempts: 1 });
      const big = "x".repeat(390_000);
      const batch = (b: number) =>
        raw.send(
          new BatchWriteItemCommand({
            RequestItems: { agorusta: Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: `big#${b}#${i}` }, sk: { S: "big" }, v: { S: big } } } })) },
          }),
        );
      const outcomes = await Promise.allSettled([0, 1, 2, 3].map(batch));
      raw.destroy();
      expect(outcomes.map((o) => o.status), "DynamoDB Local answered every batch: it did not run out of memory").toContain("rejected");

      // It died of it: its port refuses (a JVM that limped on after the error would still answer
      // here), its last words say why, and the supervisor holds it dead while the app is asked.
      const answered = await fetch(dynamo.endpoint, { method: "POST" }).then((r) => r.status, (e: Error) => (e.cause as { code?: string })?.code);
      expect(answered).toBe("ECONNREFUSED");
      expect(await exited).toMatchObject({ outOfMemory: true });
      expect(await health()).toEqual({ status: 503, code: "unavailable" });
      expect((await api.call("GET", "/auth/me", { token: before.token })).status).toBe(503);

      release();
      await expect.poll(() => dynamo.restarts, { timeout: 30_000 }).toBe(1);
      expect(restarted).toMatchObject([{ outOfMemory: true }]);
      expect(dynamo.pid).not.toBe(first);
      // Back on the same data: the account and the session made before it died.
      expect(await health()).toEqual({ status: 200, code: undefined });
      expect(await api.call("GET", "/auth/me", { token: before.token })).toMatchObject({ status: 200, body: { id: before.id } });
    } finally {
      release();
      await runtime.close();
      await dynamo.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
