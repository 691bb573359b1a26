#!/usr/bin/env node
/**
 * Builds the native backend, build/native/rnnkit_native.node, from native/ (C++17, N-API 8).
 *
 *   node scripts/build-native.mjs [--force] [--strict]
 *   npx rnnkit build-native [--force]          (the same, from an installed package: runs this file)
 *
 * Tries node-gyp (npm's bundled copy, pointed at the Node headers already on the machine so it
 * never downloads), then plain g++/c++ against the same headers. The addon is compiled for
 * baseline x86-64; its AVX2/AVX-512 kernels are chosen at run time. Skips the build when the
 * addon is newer than every source and loads. RNNKIT_SKIP_NATIVE=1 skips it altogether.
 *
 * Exits 0 even when nothing could be built (a machine without a compiler still installs, and
 * rnnkit then uses its WebAssembly kernels; one line says so), unless --strict is given, as
 * `rnnkit build-native` does: someone who asked for the addon is told with exit code 1.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NATIVE = join(ROOT, "native");
const SRC = join(NATIVE, "src");
const OUT_DIR = join(ROOT, "build", "native");
const OUT = join(OUT_DIR, "rnnkit_native.node");
const force = process.argv.includes("--force");
const strict = process.argv.includes("--strict");

function fallback(reason) {
  if (strict) {
    console.error(`rnnkit: native addon not built: ${reason}. rnnkit works without it, on its WebAssembly kernels.`);
    process.exit(1);
  }
  console.log(`rnnkit: native addon not built (${reason}); rnnkit will use wasm`);
  process.exit(0);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...opts });
  return { ok: r.status === 0 && !r.error, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/** The addon loads in a fresh process and answers. */
function loads(file) {
  return run(process.execPath, ["-e", `const m = require(${JSON.stringify(file)}); if (typeof m.bestIsa() !== "number") process.exit(1);`]).ok;
}

/** A directory D with D/include/node/node_api.h (node-gyp's --nodedir), or null. */
function findNodeDir() {
  const candidates = [
    process.env.npm_config_nodedir,
    resolve(dirname(process.execPath), ".."),
    "/usr",
    "/usr/local",
    join(homedir(), ".cache", "node-gyp", process.versions.node),
    join(homedir(), ".node-gyp", process.versions.node),
  ];
  for (const d of candidates) if (d && existsSync(join(d, "include", "node", "node_api.h"))) return d;
  return null;
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    join(ROOT, "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  for (const p of candidates) if (p && existsSync(p)) return p;
  return null;
}

function findCompiler() {
  for (const c of [process.env.CXX, "g++", "c++", "clang++"]) if (c && run(c, ["--version"]).ok) return c;
  return null;
}

const sources = readdirSync(SRC).filter((f) => f.endsWith(".cc")).sort().map((f) => join(SRC, f));

if (process.env.RNNKIT_SKIP_NATIVE === "1") fallback("RNNKIT_SKIP_NATIVE=1");
if (process.arch !== "x64") fallback(`the native kernels are written for x86-64, this is ${process.arch}`);

if (!force && existsSync(OUT)) {
  const built = statSync(OUT).mtimeMs;
  const inputs = [...readdirSync(SRC).map((f) => join(SRC, f)), join(NATIVE, "binding.gyp")];
  if (inputs.every((f) => statSync(f).mtimeMs <= built) && loads(OUT)) {
    console.log(`rnnkit: native addon up to date (${OUT})`);
    process.exit(0);
  }
}

const nodeDir = findNodeDir();
if (!nodeDir) fallback("Node's C headers (include/node/node_api.h) not found");
try {
  mkdirSync(OUT_DIR, { recursive: true });
  rmSync(OUT, { force: true });
} catch (e) {
  fallback(`cannot write ${OUT_DIR}: ${e.message} (hint: run it as the user who installed rnnkit)`);
}

/**
 * Copy to a temporary name, then rename over OUT: a Node process that has the old addon loaded keeps
 * its (now unlinked) file, where overwriting in place would change the code under a running
 * training job and crash it.
 */
function install(file) {
  const tmp = `${OUT}.${process.pid}.tmp`;
  copyFileSync(file, tmp);
  renameSync(tmp, OUT);
}

const log = [];
const gyp = findNodeGyp();
if (gyp && findCompiler()) {
  const r = run(process.execPath, [gyp, "rebuild", `--nodedir=${nodeDir}`, "--jobs=2", "--loglevel=warn"], { cwd: NATIVE });
  const built = join(NATIVE, "build", "Release", "rnnkit_native.node");
  if (r.ok && existsSync(built)) install(built);
  else log.push(`node-gyp failed:\n${r.out.slice(-4000)}`);
}

let how = "node-gyp";
if (!existsSync(OUT)) {
  const cxx = findCompiler();
  if (!cxx) fallback("no C++ compiler (g++, c++ or clang++) found (hint: install one, e.g. apt-get install g++, or set CXX)");
  how = cxx;
  const args = [
    "-O3", "-std=c++17", "-fPIC", "-shared", "-fvisibility=hidden", "-fno-math-errno", "-Wno-maybe-uninitialized",
    "-DNAPI_VERSION=8", "-DNODE_GYP_MODULE_NAME=rnnkit_native",
    `-I${join(nodeDir, "include", "node")}`, ...sources, "-o", OUT, "-pthread",
  ];
  if (process.platform === "darwin") args.push("-undefined", "dynamic_lookup");
  const r = run(cxx, args);
  if (!r.ok) log.push(`${cxx} failed:\n${r.out.slice(-4000)}`);
}

if (!existsSync(OUT) || !loads(OUT)) {
  rmSync(OUT, { force: true });
  if (log.length) console.error(log.join("\n"));
  fallback("compilation failed or the addon does not load; details above");
}
const best = run(process.execPath, ["-e", `console.log(["scalar", "avx2", "avx512"][require(${JSON.stringify(OUT)}).bestIsa()])`]).out.trim();
console.log(`rnnkit: native addon built with ${how} (${OUT}; best ISA on this CPU: ${best})`);
