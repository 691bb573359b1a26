#!/usr/bin/env node
/**
 * Builds rnnkit's WebAssembly kernels from assembly/ with the AssemblyScript compiler:
 *   build/rnnkit.wasm          SIMD128 (runs wherever WebAssembly SIMD does)
 *   build/rnnkit-relaxed.wasm  + relaxed-SIMD fused multiply-add in the GEMM micro-kernel
 *   build/rnnkit-relaxed-mt.wasm  the relaxed build on an imported *shared* memory, so that worker
 *                              threads can run kernels on the same data (Node; browsers need
 *                              cross-origin isolation for shared memory and use the builds above)
 * usage: node scripts/build-wasm.mjs [--debug | --profile] [--force]   (skips the build when outputs are newer
 *        than sources; --debug: unoptimised, with names; --profile: optimised as usual but with a name section, so
 *        CPU profiles name the wasm functions; outputs of either are dated 1970, so the next plain build replaces them)
 */
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "assembly");
const out = join(root, "build");
const debug = process.argv.includes("--debug");
const profile = process.argv.includes("--profile"); // -O3 plus a name section (bench/cpuprofile-top.ts)
const force = process.argv.includes("--force");
const named = debug || profile; // always rebuilt, and dated so that the next plain build replaces them

const targets = [
  { file: "rnnkit.wasm", flags: [] },
  { file: "rnnkit-relaxed.wasm", flags: ["--enable", "relaxed-simd", "--use", "RELAXED_SIMD=1"] },
  {
    file: "rnnkit-relaxed-mt.wasm",
    flags: ["--enable", "relaxed-simd", "--use", "RELAXED_SIMD=1", "--enable", "threads", "--importMemory", "--sharedMemory", "--maximumMemory", "65536"],
  },
];

const newestSource = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs), statSync(fileURLToPath(import.meta.url)).mtimeMs);
const upToDate = (f) => existsSync(f) && statSync(f).mtimeMs >= newestSource;

// up to date: done, without loading the compiler (seconds on a busy machine)
if (!force && !named && targets.every((t) => upToDate(join(out, t.file)))) process.exit(0);

let asc;
try {
  ({ default: asc } = await import("assemblyscript/asc"));
} catch (e) {
  // The compiler is a devDependency: an installed package ships build/ prebuilt.
  if (targets.every((t) => existsSync(join(out, t.file)))) process.exit(0);
  console.error(`build-wasm: cannot load the AssemblyScript compiler (${e.message}); install devDependencies (npm install) and retry`);
  process.exit(1);
}

mkdirSync(out, { recursive: true });
for (const t of targets) {
  const dest = join(out, t.file);
  if (!force && !named && upToDate(dest)) continue;
  const args = [join(src, "index.ts"), "--enable", "simd", ...t.flags, "--runtime", "stub", "--outFile", dest];
  args.push(...(debug ? ["--debug"] : profile ? ["-O3", "--noAssert", "--debug"] : ["-O3", "--noAssert"]));
  const { error, stderr } = await asc.main(args, { stdout: process.stdout, stderr: process.stderr });
  if (error) {
    console.error(`build-wasm: ${t.file} failed: ${error.message}\n${stderr.toString()}`);
    process.exit(1);
  }
  console.log(`build-wasm: wrote ${dest} (${statSync(dest).size} bytes)`);
  // A debug build (unoptimised, with names) must not pass for up to date: date it before every
  // source, so that the next plain build (npm install, npm test) replaces it.
  if (named) {
    utimesSync(dest, 0, 0);
    console.log(`build-wasm: ${t.file} is a ${debug ? "debug" : "profiling"} build; the next plain build replaces it`);
  }
}
