#!/usr/bin/env node
/**
 * Self time by function from a V8 CPU profile (node --cpu-prof), to see where a benchmark's time
 * goes: JavaScript functions by name and file, native addon calls under their JavaScript wrapper,
 * wasm functions as `wasm-function[i]` (or by name when the module has a name section:
 * `node scripts/build-wasm.mjs --profile`: optimised, with names; `--debug` is unoptimised).
 *
 *   node --cpu-prof --cpu-prof-dir=prof dist/bench/infer.js --child gen:native:word
 *   node dist/bench/cpuprofile-top.js prof [top N = 15] [--skip-startup]
 *
 * --skip-startup drops samples from module loading and model construction (the first 25 % of the
 * profile's time), so that short runs show their steady state.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node dist/bench/cpuprofile-top.js <dir or .cpuprofile> [top N] [--skip-startup]");
  process.exit(1);
}
const file = statSync(dir).isDirectory() ? join(dir, readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).sort().pop() ?? "") : dir;
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
const top = Number(process.argv.find((a, i) => i > 2 && /^\d+$/.test(a)) ?? 15);
const skip = process.argv.includes("--skip-startup");
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const total = p.timeDeltas.reduce((a, b) => a + b, 0);
const self = new Map<string, number>();
let t = 0;
let counted = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  t += dt;
  if (skip && t < 0.25 * total) return;
  const n = byId.get(id);
  if (!n) return;
  const f = n.callFrame;
  const name = f.functionName || "(anonymous)";
  const where = f.url ? `${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}` : "";
  const k = `${name}${where ? ` ${where}` : ""}`;
  self.set(k, (self.get(k) ?? 0) + dt);
  counted += dt;
});
console.log(`${file}: ${(counted / 1e3).toFixed(0)} ms sampled${skip ? " (startup skipped)" : ""}`);
for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * v) / counted).toFixed(1).padStart(5)} %  ${k}`);
