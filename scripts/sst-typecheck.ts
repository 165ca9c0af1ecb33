/**
 * Typechecks sst.config.ts and infra/ against SST's real component types, from npm packages alone:
 * `sst install` unpacks the platform sources that ship inside the sst CLI into .sst/platform and
 * installs their dependencies with the bun binary of the npm package `bun`. Offline-safe apart from
 * that npm registry: no Pulumi download, no telemetry. Skipped when the platform already matches the
 * installed sst; the tsc run is incremental.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const platform = join(root, ".sst/platform");

// Root devDependencies, hoisted by npm workspaces (sst's exports hide its package.json from resolve).
const packageDir = (name: string) => join(root, "node_modules", name);
const sstVersion: string = JSON.parse(readFileSync(join(packageDir("sst"), "package.json"), "utf8")).version;

function platformReady(): boolean {
  const version = join(platform, "version");
  return (
    existsSync(version) &&
    readFileSync(version, "utf8").trim() === sstVersion &&
    existsSync(join(platform, "config.d.ts")) &&
    existsSync(join(platform, "node_modules/@pulumi/pulumi/package.json"))
  );
}

/**
 * One `sst install` at a time: several typechecks may run in one tree at once. An install takes
 * seconds, so a lock older than two minutes was left by a killed run and is taken over.
 */
function withLock<T>(run: () => T): T {
  const lock = join(root, ".sst/typecheck.lock");
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    return run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function installPlatform() {
  const started = Date.now();
  console.log(`sst-typecheck: installing SST ${sstVersion}'s platform into .sst/platform …`);
  execFileSync(process.execPath, [join(packageDir("sst"), "bin/sst.mjs"), "install"], {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      // Without these, sst first downloads Pulumi from GitHub and posts telemetry.
      SST_SKIP_DEPENDENCY_CHECK: "1",
      SST_TELEMETRY_DISABLED: "1",
      // `sst install` needs a stage to load the config; nothing is deployed to it.
      SST_STAGE: process.env.SST_STAGE ?? "typecheck",
      // The npm package `bun` ships the binary sst would otherwise download into ~/.config/sst/bin.
      SST_BUN_PATH: join(packageDir("bun"), "bin/bun.exe"),
      // bun installs the platform's packages from the registry npm uses.
      NPM_CONFIG_REGISTRY: process.env.NPM_CONFIG_REGISTRY ?? process.env.npm_config_registry ?? "https://registry.npmjs.org/",
    },
  });
  if (!platformReady()) throw new Error("sst install finished but .sst/platform is incomplete.");
  console.log(`sst-typecheck: platform ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (!platformReady()) withLock(() => platformReady() || installPlatform());

const tsc = spawnSync(process.execPath, [join(packageDir("typescript"), "bin/tsc"), "-p", "infra/tsconfig.json", "--pretty", "false"], {
  cwd: root,
  encoding: "utf8",
});
if (tsc.error) throw tsc.error;

// A diagnostic starts at column 0; its continuation lines are indented.
const diagnostics = (tsc.stdout + tsc.stderr).split(/\n(?=\S)/).map((d) => d.trimEnd()).filter(Boolean);
const inPlatform = (d: string) => d.startsWith(relative(root, platform) + "/");
const ours = diagnostics.filter((d) => !inPlatform(d));
const sstOwn = diagnostics.filter(inPlatform);

if (sstOwn.length) {
  // SST's platform pins an older TypeScript and @types/node than ours; errors inside its own
  // sources are SST's to fix, not a wrong argument of ours (docs/decisions.md, "SST").
  console.warn(`sst-typecheck: ${sstOwn.length} error(s) inside SST's own platform sources, not ours:\n${sstOwn.join("\n")}`);
}
if (ours.length) {
  console.error(ours.join("\n"));
  console.error(`sst-typecheck: ${ours.length} error(s) in sst.config.ts / infra/`);
  process.exit(1);
}
if (tsc.status !== 0 && !sstOwn.length) {
  console.error(`sst-typecheck: tsc exited with ${tsc.status} and printed nothing`);
  process.exit(1);
}
console.log("sst-typecheck: sst.config.ts and infra/ match SST's component types");
