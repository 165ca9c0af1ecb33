/**
 * `npm start`'s entry point as a person runs it: a real process on a port, DynamoDB Local
 * persisting to a data folder, stopped with SIGTERM and started again.
 */
import { describe, expect, it } from "vitest";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, symlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../src/dynamoLocal.ts";

const main = new URL("../src/main.ts", import.meta.url).pathname;

function start(env: Record<string, string>) {
  // Without JWT_SECRET, as a newcomer runs it: the secret is generated into the data folder.
  const { JWT_SECRET: _, ...inherited } = process.env;
  const child = spawn(process.execPath, [main], { env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, exited, output: () => output };
}

const healthy = (base: string) =>
  fetch(`${base}/api/health`).then(
    (res) => res.ok,
    () => false, // not up yet
  );
const waitForHealth = (base: string) => expect.poll(() => healthy(base), { timeout: 60_000, interval: 200 }).toBe(true);

/** DynamoDB Local processes whose data folder is this one. */
const javaUnder = (dir: string) => {
  try {
    return execFileSync("pgrep", ["-f", `-dbPath ${dir}`], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

describe("npm start's entry point", () => {
  it("keeps accounts across a restart and leaves no java behind on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agorusta-main-"));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { PORT: String(port), AGORUSTA_DATA_DIR: dataDir };
    try {
      const first = start(env);
      await waitForHealth(base);
      const reg = await fetch(`${base}/api/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "keep@example.com", username: "keeper", password: "hunter2hunter2" }),
      });
      expect(reg.status).toBe(201);
      const { token } = (await reg.json()) as { token: string };
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(javaUnder(join(dataDir, "dynamodb"))).toEqual([]);

      const second = start(env);
      await waitForHealth(base);
      const login = await fetch(`${base}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "keep@example.com", password: "hunter2hunter2" }),
      });
      expect(login.status).toBe(200);
      // The generated JWT secret was kept too: the session from before the restart still works.
      expect((await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      second.child.kill("SIGINT");
      expect(await second.exited).toBe(0);
      expect(javaUnder(join(dataDir, "dynamodb"))).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("without Java, exits 1 with one sentence saying what to install", async () => {
    const bin = mkdtempSync(join(tmpdir(), "agorusta-nojava-"));
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, "node"));
    const run = start({ PATH: bin, PORT: String(await freePort()), AGORUSTA_DATA_DIR: join(bin, "data") });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toMatch(/^Agorusta runs AWS's DynamoDB Local, which needs Java 17 or newer: install it .* and try again\.$/);
    rmSync(bin, { recursive: true, force: true });
  });
});
