/**
 * `npm run bundle [-- --arch x86_64|arm64]`: builds each Lambda infra/ declares
 * (infra/lambdas.ts; infra builds every function through `handlerArgs`, which this checks) the
 * way SST 4 does on deploy, then prints its size and cold import time. SST's build
 * (pkg/runtime/node/build.go): esbuild, ESM `.mjs` at the handler's path, platform node,
 * minified, no source map, a banner giving ESM a `require`; `copyFiles` (argon2's one linux
 * binary, for the API) copied in at their `to`. One deliberate difference: target node24 (SST's
 * default target is esnext; the runtime is nodejs24.x either way).
 */
import { build, type Metafile } from "esbuild";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { newVapidPrivateKey } from "../packages/functions/src/push/setup.ts";
import { firstRequestTable, FIRST_REQUEST } from "./coldStart.ts";
import { argon2Prebuild, lambdaArchitecture, lambdaCopiedFiles, lambdaHandlers, lambdasWithArgon2, lambdaNeverLoaded, lambdaSplitting } from "../infra/lambdas.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const { values } = parseArgs({ options: { arch: { type: "string", default: lambdaArchitecture }, only: { type: "string" } } });
const arch = values.arch === "x86_64" || values.arch === "x64" ? "x64" : values.arch === "arm64" ? "arm64" : null;
if (!arch) throw new Error(`--arch must be arm64 or x86_64, not ${values.arch}`);

const archName = arch === "x64" ? "x86_64" : "arm64";
/** `-- --only api,ws`: build and measure just those (a quicker loop while working on one). */
const only = values.only?.split(",").map((name) => name.trim());
const unknown = only?.filter((name) => !(name in lambdaHandlers));
if (unknown?.length) throw new Error(`--only: no Lambda named ${unknown.join(", ")} (infra/lambdas.ts: ${Object.keys(lambdaHandlers).join(", ")})`);
/** This machine's Lambda architecture, when it has one: it can load that binary itself. */
const hostArch = process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "arm64" : null;

// Every function infra/ declares goes through `handlerArgs` (infra/functions.ts), so through
// `lambdaHandlers`: a handler written elsewhere in infra/ would be deployed but not measured here.
for (const file of readdirSync(join(root, "infra")).filter((f) => f.endsWith(".ts") && f !== "lambdas.ts")) {
  if (/\bhandler\s*:\s*["'`]/.test(readFileSync(join(root, "infra", file), "utf8"))) {
    throw new Error(`infra/${file} declares a handler of its own: add it to lambdaHandlers (infra/lambdas.ts) and build it with handlerArgs`);
  }
}

const banner = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join("\n");

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** The ELF machine of a native binary: 62 x86-64, 183 AArch64. */
const elfMachine = (file: string) => readFileSync(file).readUInt16LE(18);

/** The packages that weigh most in a bundle (bytes of minified output), as "name 123 KiB, …". */
function heaviest(inputs: Record<string, { bytesInOutput: number }>, top = 5): string {
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "(our code)";
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top).map(([pkg, bytes]) => `${pkg} ${kib(bytes)}`).join(", ");
}

/**
 * What a cold start reads and compiles: the bundle and the chunks it imports statically, through
 * theirs (esbuild's metafile, paths relative to the working directory); what a dynamic `import()`
 * loads at first use; and chunks nothing imports (esbuild emits a chunk for every dynamic import
 * it saw, also one whose caller tree-shaking dropped: uploaded, never loaded).
 */
function loadedAtImport(outputs: Metafile["outputs"], entry: string) {
  const reach = (kinds: string[]) => {
    const seen = new Set<string>();
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      for (const imported of outputs[path]!.imports) if (kinds.includes(imported.kind) && !imported.external) visit(imported.path);
    };
    visit(entry);
    return seen;
  };
  const atImport = reach(["import-statement"]);
  const loadable = reach(["import-statement", "dynamic-import"]);
  const onDemand = [...loadable].filter((path) => !atImport.has(path));
  const bytes = (paths: string[]) => paths.reduce((sum, path) => sum + outputs[path]!.bytes, 0);
  const inputsOf = (paths: string[]): Record<string, { bytesInOutput: number }> => Object.assign({}, ...paths.map((path) => outputs[path]!.inputs));
  return {
    atImport: bytes([...atImport]),
    onDemand: { count: onDemand.length, bytes: bytes(onDemand) },
    /** The inputs of everything the function can load, and of what its import reads. */
    inputs: inputsOf([...loadable]),
    importInputs: inputsOf([...atImport]),
  };
}

/**
 * The argon2 binary node-gyp-build picks on a linux-`arch` Lambda from the bundle's directory (the
 * bundled argon2 calls it with the banner's `__dirname`), resolved here by telling it that platform.
 */
function lambdaBinary(bundleDir: string): string {
  const script = `console.log(require(${JSON.stringify(join(root, "node_modules/node-gyp-build"))}).path(${JSON.stringify(bundleDir)}))`;
  const env = { PATH: process.env.PATH, npm_config_arch: arch!, npm_config_platform: "linux", LIBC: "glibc" };
  return execFileSync(process.execPath, ["-e", script], { env, encoding: "utf8" }).trim();
}

/** The bundled argon2, beside a function's bundle: it loads a binary from there, and hashes and verifies. */
async function argon2Works(bundleDir: string): Promise<void> {
  const probe = join(bundleDir, "argon2-probe.mjs");
  await build({
    stdin: { contents: `import argon2 from "argon2"; if (!(await argon2.verify(await argon2.hash("probe"), "probe"))) process.exit(1);`, resolveDir: root },
    outfile: probe,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    minify: true,
    banner: { js: banner },
    logLevel: "warning",
  });
  const run = spawnSync(process.execPath, [probe], { encoding: "utf8", env: { PATH: process.env.PATH } });
  rmSync(probe);
  if (run.status !== 0) throw new Error(`The bundled argon2 does not work from ${bundleDir}:\n${run.stderr}`);
}

/** Any valid key: the probe never signs a push. */
const probeVapidKey = newVapidPrivateKey();

/** The environment a function's handler reads at init outside SST (config.ts), as its links give it deployed (infra/functions.ts). */
function probeEnv(name: keyof typeof lambdaHandlers): Record<string, string> {
  return {
    PATH: process.env.PATH!,
    // Nothing is called at import, so no DynamoDB is needed (the API's first request has its own: coldStart.ts).
    TABLE_NAME: "bundle-probe",
    JWT_SECRET: "bundle-probe-secret-0123456789abcdef0123",
    // The Fanout Lambda builds its publisher at init, and has nothing to do without one.
    WS_MANAGEMENT_ENDPOINT: "https://probe.execute-api.eu-west-1.amazonaws.com/probe",
    AWS_REGION: "eu-west-1",
    // Deployed, the API and the push consumer have the stage's VAPID key linked (infra/functions.ts):
    // the push Lambda refuses to start without it, and the API derives its public key at init.
    VAPID_PRIVATE_KEY: probeVapidKey,
    // What else each has linked, so the clients it builds at init are built here too.
    ...(name === "api" || name === "purge" ? { BUCKET_NAME: "probe-files", PURGE_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/probe-purge" } : {}),
    ...(name === "ws" || name === "expiry" ? { EXPIRY_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/probe-expiry" } : {}),
    ...(name === "api" || name === "push" ? { PUSH_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/probe-push" } : {}),
    ...(name === "api" || name === "ws" ? { FANOUT_FUNCTION: "probe-fanout" } : {}),
  };
}

type Stats = { median: number; min: number; max: number };
function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, max: sorted.at(-1)! };
}

/**
 * Median of `runs` fresh Node processes importing the bundle, as a Lambda's init does; with an
 * event, each then hands it to the handler, once (the cold start's first request) and again (a
 * warm one, for comparison). Wall time and the process's CPU time of each: under load the first
 * grows with the other processes' share of the cores, the second much less.
 */
function coldStart(dir: string, file: string, env: Record<string, string>, event?: unknown, runs = 7) {
  const probe = [
    `const event = process.env.PROBE_EVENT ? JSON.parse(process.env.PROBE_EVENT) : undefined;`,
    `delete process.env.PROBE_EVENT;`,
    `const context = { functionName: "probe", awsRequestId: "probe", getRemainingTimeInMillis: () => 30000 };`,
    `const span = async (work) => { const t0 = performance.now(), c0 = process.cpuUsage(); const value = await work(); const cpu = process.cpuUsage(c0); return [value, performance.now() - t0, (cpu.user + cpu.system) / 1000]; };`,
    `const [handler, importMs, importCpu] = await span(async () => (await import(${JSON.stringify(join(dir, file))})).handler);`,
    `const times = [importMs, importCpu];`,
    `if (event) for (let i = 0; i < 2; i++) {`,
    `  const [result, ms, cpu] = await span(() => handler(event, context));`,
    `  if (result.statusCode !== 200) { console.error("the request answered", result.statusCode, result.body); process.exit(1); }`,
    `  times.push(ms, cpu);`,
    `}`,
    `console.log(times.join(" "));`,
  ].join("\n");
  const samples = Array.from({ length: runs }, () =>
    execFileSync(process.execPath, ["--input-type=module", "-e", probe], {
      cwd: dir,
      env: { ...env, ...(event ? { PROBE_EVENT: JSON.stringify(event) } : {}) },
      encoding: "utf8",
    }).trim().split(" ").map(Number),
  );
  const column = (i: number) => stats(samples.map((s) => s[i]!));
  const sum = (a: number, b: number) => stats(samples.map((s) => s[a]! + s[b]!));
  return {
    wall: column(0),
    cpu: column(1),
    ...(event ? { first: { wall: column(2), cpu: column(3) }, total: { wall: sum(0, 2), cpu: sum(1, 3) }, warm: { wall: column(4), cpu: column(5) } } : {}),
  };
}
const ms = ({ median, min, max }: { median: number; min: number; max: number }) => `${median.toFixed(0)} ms (${min.toFixed(0)}–${max.toFixed(0)})`;

// Outside the repository, so neither the probe nor the bundle can fall back on the repo's node_modules.
const weights: string[] = [];
const out = join(tmpdir(), "agorusta-lambda", arch);
const measured = (Object.entries(lambdaHandlers) as [keyof typeof lambdaHandlers, string][]).filter(([name]) => !only || only.includes(name));
// The API's first request needs a table to read (coldStart.ts); started before the first import is timed.
const apiTable = measured.some(([name]) => name === "api") ? await firstRequestTable() : undefined;
rmSync(out, { recursive: true, force: true });
console.log(`Lambda bundles for linux-${arch}, Node ${process.versions.node}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} (cold import: median of 7 fresh processes, min–max)\n`);
console.log("| function | bundle (.mjs) read at import | copied files | zipped | ≤ 1 MiB | cold import | its CPU time | argon2 binary a Lambda loads |");
console.log("|---|---|---|---|---|---|---|---|");

/** The issue's bounds (27, item 4): each function's upload, and the API's cold import on this machine. */
const MAX_ZIPPED_BYTES = 1024 * 1024;
const MAX_API_IMPORT_MS = 150;
let apiImportMs = NaN;
let apiColdStart: ReturnType<typeof coldStart> | undefined;
const tooBig: string[] = [];

for (const [name, handler] of measured) {
  const hashes = lambdasWithArgon2.includes(name);
  const dir = join(out, name);
  const entry = resolve(root, handler.replace(/\.[^.]+$/, ".ts"));
  // At the handler's path under the function's root, as SST puts it (the Lambda's `handler` names it).
  const file = handler.replace(/\.[^.]+$/, ".mjs");
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  const { metafile } = await build({
    entryPoints: [entry],
    // With splitting, SST writes the chunks beside the bundle (`outdir`), the bundle under its own name.
    ...(lambdaSplitting
      ? { outdir: dirname(join(dir, file)), entryNames: basename(file, ".mjs"), outExtension: { ".js": ".mjs" }, splitting: true }
      : { outfile: join(dir, file) }),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    mainFields: ["module", "main"],
    keepNames: true,
    minify: true,
    sourcemap: false,
    external: ["sharp", "pg-native", ...lambdaNeverLoaded],
    banner: { js: banner },
    metafile: true,
    logLevel: "warning",
  });
  const { atImport, onDemand, inputs, importInputs } = loadedAtImport(metafile.outputs, relative(process.cwd(), join(dir, file)));
  // Tree-shaking drops modules nobody uses (core is side-effect free): argon2's code is in what the function can load only if something hashes.
  if (!hashes && Object.keys(inputs).some((path) => path.includes("node_modules/argon2/"))) {
    throw new Error(`${name} bundles argon2 but gets no binary (lambdasWithArgon2, infra/lambdas.ts): it would fail at its first hash`);
  }
  // SST's `copyFiles`: what the function reads but does not import goes into its upload too.
  const copied = lambdaCopiedFiles(name, archName);
  for (const { from, to } of copied) {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    copyFileSync(join(root, from), join(dir, to));
  }
  let loaded = "—";
  if (hashes) {
    const binary = lambdaBinary(dirname(join(dir, file)));
    if (elfMachine(binary) !== (arch === "arm64" ? 183 : 62)) throw new Error(`${name}: a linux-${arch} Lambda would load ${binary}, built for another machine`);
    loaded = relative(dir, binary);
  }
  weights.push(`${name}: ${heaviest(importInputs)}`);
  execFileSync("zip", ["-q", "-r", "-X", join(out, `${name}.zip`), "."], { cwd: dir });
  if (hashes) {
    // After zipping: a binary this machine can load, if the Lambda's is for another, so the
    // bundled argon2 can be run here (it loads the binary of the machine it runs on).
    if (hostArch && hostArch !== archName) {
      const host = argon2Prebuild(name, hostArch);
      mkdirSync(dirname(join(dir, host.to)), { recursive: true });
      copyFileSync(join(root, host.from), join(dir, host.to));
    }
    await argon2Works(dirname(join(dir, file)));
  }
  const timing = name === "api" && apiTable ? coldStart(dir, file, { ...probeEnv(name), ...apiTable.env }, apiTable.event) : coldStart(dir, file, probeEnv(name));
  if (name === "api") {
    apiImportMs = timing.wall.median;
    apiColdStart = timing;
  }
  const zipped = statSync(join(out, `${name}.zip`)).size;
  if (zipped > MAX_ZIPPED_BYTES) tooBig.push(`${name} ${kib(zipped)}`);
  const copiedBytes = copied.reduce((sum, { to }) => sum + statSync(join(dir, to)).size, 0);
  console.log(
    `| ${name} | ${kib(atImport)}${onDemand.count ? ` (+ ${kib(onDemand.bytes)} in ${onDemand.count} chunks loaded on demand)` : ""} | ${copied.length ? kib(copiedBytes) : "none"} | ${kib(zipped)} | ` +
      `${zipped > MAX_ZIPPED_BYTES ? "no" : "yes"} | ${ms(timing.wall)} | ${ms(timing.cpu)} | ${loaded} |`,
  );
}
await apiTable?.stop();
if (apiColdStart?.first) {
  const { wall, cpu, first, total, warm } = apiColdStart as Required<typeof apiColdStart>;
  console.log(`\nThe API's cold start, import and its first request (${FIRST_REQUEST}, a recorded API Gateway event through the handler, DynamoDB Local warmed): median of 7, min–max\n`);
  console.log("| | import | first request | import + first request | a second request (warm) |");
  console.log("|---|---|---|---|---|");
  console.log(`| wall | ${ms(wall)} | ${ms(first.wall)} | ${ms(total.wall)} | ${ms(warm.wall)} |`);
  console.log(`| CPU | ${ms(cpu)} | ${ms(first.cpu)} | ${ms(total.cpu)} | ${ms(warm.cpu)} |`);
}
console.log(`\nEvery upload ≤ 1 MiB zipped: ${tooBig.length ? `NOT MET (${tooBig.join(", ")})` : "met"}`);
// Not a failure: a loaded machine cannot tell (docs/performance.md, "Bundles").
console.log(
  `API cold import ≤ ${MAX_API_IMPORT_MS} ms: ${apiImportMs <= MAX_API_IMPORT_MS ? "met" : "NOT MET"} (median ${apiImportMs.toFixed(0)} ms, ` +
    `load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores: meaningful on a quiet machine only)`,
);
if (tooBig.length) {
  console.error(`\nOver 1 MiB zipped: ${tooBig.join(", ")}`);
  process.exitCode = 1;
}
console.log(`\nHeaviest packages in what each function's import reads:\n${weights.join("\n")}\n\nBuilt into ${out}`);
