/**
 * `npm run bundle [-- --arch x86_64|arm64]`: builds each Lambda the way SST 4 does on deploy, then
 * prints its size and cold import time. SST's build (pkg/runtime/node/build.go): esbuild, ESM
 * `.mjs`, platform node, minified, no source map, a banner giving ESM a `require`; packages in
 * `nodejs.install` (argon2 and its native binary) left external and installed next to the bundle
 * with `npm install --force --os=linux --cpu=<arch>`. One deliberate difference: target node24
 * (SST's default target is esnext; the runtime is nodejs24.x either way).
 */
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { newVapidPrivateKey } from "../packages/functions/src/push/setup.ts";
import { lambdaArchitecture, lambdaCopiedFiles, lambdaHandlers, lambdaInstalls, lambdaNeverLoaded } from "../infra/lambdas.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const { values } = parseArgs({ options: { arch: { type: "string", default: lambdaArchitecture } } });
const arch = values.arch === "x86_64" || values.arch === "x64" ? "x64" : values.arch === "arm64" ? "arm64" : null;
if (!arch) throw new Error(`--arch must be arm64 or x86_64, not ${values.arch}`);

/** As in infra/functions.ts. */
const lambdaEnvironment = { PREBUILDS_ONLY: "1" };
const installedVersion = (name: string): string =>
  JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;

const banner = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join("\n");

function dirBytes(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + dirBytes(join(path, entry)), 0);
}
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
 * The argon2 binary node-gyp-build picks on a linux-`arch` Lambda with the functions' environment
 * (infra/functions.ts), resolved here by telling it that platform.
 */
function lambdaBinary(dir: string): string {
  const script = `console.log(require("./node_modules/node-gyp-build").path("./node_modules/argon2"))`;
  const env = { PATH: process.env.PATH, ...lambdaEnvironment, npm_config_arch: arch!, npm_config_platform: "linux", LIBC: "glibc" };
  return execFileSync(process.execPath, ["-e", script], { cwd: dir, env, encoding: "utf8" }).trim();
}

/** Any valid key: the probe never signs a push. */
const probeVapidKey = newVapidPrivateKey();

/** Median of `runs` fresh Node processes importing the bundle, as a Lambda cold start does. */
function coldImport(dir: string, file: string, withArgon2: boolean, runs = 7) {
  const probe = [
    `const t0 = performance.now();`,
    `await import(${JSON.stringify(join(dir, file))});`,
    `const ms = performance.now() - t0;`,
    // The native binary really loads from the bundle's node_modules, and works.
    ...(withArgon2
      ? [
          `const argon2 = (await import("node:module")).createRequire(${JSON.stringify(dir + "/")})("argon2");`,
          `await argon2.verify(await argon2.hash("probe"), "probe");`,
        ]
      : []),
    `console.log(ms);`,
  ].join("\n");
  const env = {
    PATH: process.env.PATH,
    ...lambdaEnvironment,
    // What the handlers read at init outside SST; nothing is called, so no DynamoDB is needed.
    TABLE_NAME: "bundle-probe",
    JWT_SECRET: "bundle-probe-secret-0123456789abcdef0123",
    // The Fanout Lambda builds its publisher at init, and has nothing to do without one.
    WS_MANAGEMENT_ENDPOINT: "https://probe.execute-api.eu-west-1.amazonaws.com/probe",
    AWS_REGION: "eu-west-1",
    // Deployed, the API and the push consumer have the stage's VAPID key linked (infra/functions.ts):
    // the push Lambda refuses to start without it, and the API derives its public key at init.
    VAPID_PRIVATE_KEY: probeVapidKey,
  };
  const times = Array.from({ length: runs }, () =>
    Number(execFileSync(process.execPath, ["--input-type=module", "-e", probe], { cwd: dir, env, encoding: "utf8" }).trim()),
  ).sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)]!, min: times[0]!, max: times.at(-1)! };
}

// Outside the repository, so neither the probe nor the bundle can fall back on the repo's node_modules.
const weights: string[] = [];
const out = join(tmpdir(), "agorusta-lambda", arch);
rmSync(out, { recursive: true, force: true });
console.log(`Lambda bundles for linux-${arch}, Node ${process.versions.node} (cold import: median of 7 fresh processes)\n`);
console.log("| function | bundle (.mjs) | node_modules | zipped | cold import | argon2 binary a Lambda loads |");
console.log("|---|---|---|---|---|---|");

/** The bound for each function's upload. */
const MAX_ZIPPED_BYTES = 1024 * 1024;
const tooBig: string[] = [];

for (const [name, handler] of Object.entries(lambdaHandlers) as [keyof typeof lambdaHandlers, string][]) {
  const install = lambdaInstalls[name];
  const dir = join(out, name);
  const entry = resolve(root, handler.replace(/\.[^.]+$/, ".ts"));
  const file = `${name}.mjs`;
  mkdirSync(dir, { recursive: true });
  const { metafile } = await build({
    entryPoints: [entry],
    outfile: join(dir, file),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    mainFields: ["module", "main"],
    keepNames: true,
    minify: true,
    sourcemap: false,
    external: ["sharp", "pg-native", ...install, ...lambdaNeverLoaded],
    banner: { js: banner },
    metafile: true,
    logLevel: "warning",
  });
  // What the output still imports (tree-shaking drops modules nobody uses: core is side-effect free).
  if (!install.includes("argon2") && /from\s*"argon2"|require\("argon2"\)/.test(readFileSync(join(dir, file), "utf8"))) {
    throw new Error(`${name} imports argon2 but does not install it (infra/lambdas.ts): it would fail to load its binary`);
  }
  // Like SST's `copyFiles`: what the function reads but does not import goes into its upload too.
  for (const copied of lambdaCopiedFiles[name] ?? []) {
    mkdirSync(dirname(join(dir, copied.to)), { recursive: true });
    copyFileSync(join(root, copied.from), join(dir, copied.to));
  }
  let loaded = "—";
  let compiled = false;
  if (install.length > 0) {
    // Like SST, every package in `install` goes into the function, imported or not.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ dependencies: Object.fromEntries(install.map((p) => [p, installedVersion(p)])) }));
    execFileSync("npm", ["install", "--force", "--platform=linux", "--os=linux", `--arch=${arch}`, `--cpu=${arch}`, "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: dir,
      stdio: ["ignore", "ignore", "inherit"],
    });
    loaded = lambdaBinary(dir);
    if (elfMachine(loaded) !== (arch === "arm64" ? 183 : 62)) throw new Error(`${name}: a linux-${arch} Lambda would load ${loaded}, built for another machine`);
    compiled = existsSync(join(dir, "node_modules/argon2/build/Release/argon2.node"));
    loaded = relative(dir, loaded);
  }
  weights.push(`${name}: ${heaviest(metafile.outputs[Object.keys(metafile.outputs)[0]!]!.inputs)}`);
  execFileSync("zip", ["-q", "-r", "-X", join(out, `${name}.zip`), "."], { cwd: dir });
  const timing = coldImport(dir, file, install.includes("argon2"));
  const zipped = statSync(join(out, `${name}.zip`)).size;
  if (zipped > MAX_ZIPPED_BYTES) tooBig.push(`${name} ${kib(zipped)}`);
  const modules = join(dir, "node_modules");
  console.log(
    `| ${name} | ${kib(statSync(join(dir, file)).size)} | ${existsSync(modules) ? kib(dirBytes(modules)) : "none"} | ` +
      `${kib(zipped)} | ${timing.median.toFixed(0)} ms (${timing.min.toFixed(0)}–${timing.max.toFixed(0)}) | ` +
      `${loaded}${compiled ? " (install also compiled an unused build/Release)" : ""} |`,
  );
}
if (tooBig.length) {
  console.error(`\nOver 1 MiB zipped: ${tooBig.join(", ")}`);
  process.exitCode = 1;
}
console.log(`\nHeaviest packages in each bundle:\n${weights.join("\n")}\n\nBuilt into ${out}`);
