/**
 * `npm start`'s entry point as a person runs it: a real process on a port, DynamoDB Local
 * persisting to a data folder, stopped with SIGTERM and started again.
 */
import { describe, expect, it } from "vitest";
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, mkdirSync, symlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../src/dynamoLocal.ts";
import { isLoopback, listenersOf, nonLoopbackAddresses, tryConnect } from "@agorusta/testing/network";

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
    return execFileSync("pgrep", ["-f", "--", `-dbPath ${dir}`], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

const register = (base: string, username: string) =>
  fetch(`${base}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `${username}@example.com`, username, password: "hunter2hunter2" }),
  });
const login = (base: string, username: string) =>
  fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `${username}@example.com`, password: "hunter2hunter2" }),
  });

/** Every listening socket of npm start's process and its JVM, with what a neighbour gets from each. */
async function reachability(nodePid: number, dbDir: string) {
  const javaPids = javaUnder(dbDir).map(Number);
  expect(javaPids).toHaveLength(1);
  const listeners = listenersOf([nodePid, ...javaPids]);
  const neighbours = nonLoopbackAddresses();
  // The proof needs an address of this machine other than loopback; every CI and laptop has one.
  expect(neighbours, "this machine has no non-loopback address to test from").not.toEqual([]);
  return Promise.all(
    listeners.map(async (l) => ({
      port: l.port,
      bound: l.address,
      fromLoopback: await tryConnect("127.0.0.1", l.port),
      fromNetwork: await Promise.all(neighbours.map(async (a) => `${a} ${await tryConnect(a, l.port)}`)),
    })),
  );
}

describe("npm start's entry point", () => {
  it("listens on loopback only, keeps its data folder to its owner, brings a killed DynamoDB Local back on the same data, keeps accounts and sessions across a restart, and leaves no java behind", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agorusta-net-"));
    // As a folder made before the owner-only rule (or by hand) would be: npm start tightens it.
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, "jwt-secret"), "a-secret-written-before-with-loose-permissions-0123\n", { mode: 0o644 });
    chmodSync(join(dataDir, "jwt-secret"), 0o644);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const dbDir = join(dataDir, "dynamodb");
    const run = start({ PORT: String(port), AGORUSTA_DATA_DIR: dataDir });
    try {
      await waitForHealth(base);
      const seen = await reachability(run.child.pid!, dbDir);
      // The web/API port and DynamoDB Local's, at least; each answers on loopback, none from the network.
      expect(seen.map((s) => s.port)).toContain(port);
      expect(seen.length).toBeGreaterThanOrEqual(2);
      for (const s of seen) {
        expect(isLoopback(s.bound), `port ${s.port} is bound to ${s.bound}`).toBe(true);
        expect(s.fromLoopback).toBe("connected");
        expect(s.fromNetwork.every((r) => r.endsWith(" refused")), `port ${s.port} from the network: ${s.fromNetwork}`).toBe(true);
      }

      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, "dynamodb")).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, "jwt-secret")).mode & 0o777).toBe(0o600);

      const registered = await register(base, "survivor");
      expect(registered.status).toBe(201);
      const { token } = (await registered.json()) as { token: string };
      const [before] = javaUnder(dbDir);
      execFileSync("kill", ["-KILL", before!]);
      // While the table is out of reach, health says so in the contract's shape…
      await expect
        .poll(async () => {
          const res = await fetch(`${base}/api/health`);
          return { status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code };
        }, { timeout: 30_000, interval: 50 })
        .toEqual({ status: 503, code: "unavailable" });
      // …and then it is back, with the account made before the kill.
      await waitForHealth(base);
      expect((await login(base, "survivor")).status).toBe(200);
      const after = javaUnder(dbDir);
      expect(after).toHaveLength(1);
      expect(after[0]).not.toBe(before);
      expect(run.output()).toContain("DynamoDB Local stopped unexpectedly and was started again on the same data.");
      expect(run.child.exitCode).toBeNull();

      // Stopped with SIGTERM: it exits cleanly and takes its JVM along.
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(javaUnder(dbDir)).toEqual([]);
      // Started again: the account is there, and the generated JWT secret was kept, so the
      // session from before the restart still works. SIGINT (Ctrl+C) stops it as cleanly.
      const again = start({ PORT: String(port), AGORUSTA_DATA_DIR: dataDir });
      try {
        await waitForHealth(base);
        expect((await login(base, "survivor")).status).toBe(200);
        expect((await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      } finally {
        again.child.kill("SIGINT");
        expect(await again.exited).toBe(0);
      }
      expect(javaUnder(dbDir)).toEqual([]);
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  it("with HOST=0.0.0.0 opens the web/API port to the network, and DynamoDB Local still to loopback only", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "agorusta-host-"));
    const port = await freePort();
    const run = start({ PORT: String(port), AGORUSTA_DATA_DIR: dataDir, HOST: "0.0.0.0" });
    try {
      await waitForHealth(`http://127.0.0.1:${port}`);
      const seen = await reachability(run.child.pid!, join(dataDir, "dynamodb"));
      const web = seen.filter((s) => s.port === port);
      const others = seen.filter((s) => s.port !== port);
      expect(web).toHaveLength(1);
      // 0.0.0.0 is every IPv4 address (HOST=:: would add IPv6).
      const v4 = web[0]!.fromNetwork.filter((r) => /^\d+\.\d+\.\d+\.\d+ /.test(r));
      expect(v4).not.toEqual([]);
      expect(v4.every((r) => r.endsWith(" connected")), `${v4}`).toBe(true);
      expect(others.length).toBeGreaterThanOrEqual(1);
      for (const s of others) expect(s.fromNetwork.every((r) => r.endsWith(" refused")), `port ${s.port}: ${s.fromNetwork}`).toBe(true);
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("with a trimmed Java that cannot run the loopback launcher, exits 1 with one sentence instead of exposing DynamoDB Local", async () => {
    const bin = mkdtempSync(join(tmpdir(), "agorusta-jre-"));
    symlinkSync(process.execPath, join(bin, "node"));
    // A jlinked JRE: Java modules, but no jdk.compiler (so no source-file mode).
    writeFileSync(join(bin, "java"), "#!/bin/sh\necho java.base@21.0.1\necho java.logging@21.0.1\n", { mode: 0o755 });
    const run = start({ PATH: bin, PORT: String(await freePort()), AGORUSTA_DATA_DIR: join(bin, "data") });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toMatch(/^Agorusta keeps DynamoDB Local on loopback .* lacks the jdk\.compiler module\): install a full JDK 17 or newer .* and try again\.$/);
    rmSync(bin, { recursive: true, force: true });
  });

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
