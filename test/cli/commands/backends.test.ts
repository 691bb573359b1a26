/** `rnnkit backends`: lists every backend with availability, the one in use, and thread counts. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../../helpers/cli.js";

interface Out {
  selected: string;
  backends: Array<{ name: string; available: boolean; selected: boolean; detail: string; gflops: number | null }>;
}

test("rnnkit backends --json: all three listed, exactly one in use, RNNKIT_BACKEND and RNNKIT_WASM_THREADS respected", () => {
  const r = runCli(["backends", "--json", "--no-speed"], { env: { RNNKIT_BACKEND: "wasm", RNNKIT_WASM_THREADS: "2" } });
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout) as Out;
  assert.deepEqual(o.backends.map((b) => b.name), ["native", "wasm", "ref"]);
  assert.equal(o.backends.filter((b) => b.selected).length, 1);
  assert.equal(o.selected, "wasm");
  const wasm = o.backends.find((b) => b.name === "wasm")!;
  assert.ok(wasm.available && wasm.selected);
  assert.match(wasm.detail, /2 thread\(s\) on shared memory/);
  const one = JSON.parse(runCli(["backends", "--json", "--no-speed"], { env: { RNNKIT_BACKEND: "ref", RNNKIT_WASM_THREADS: "1" } }).stdout) as Out;
  assert.equal(one.selected, "ref");
  assert.match(one.backends.find((b) => b.name === "wasm")!.detail, /1 thread\(s\) \(RNNKIT_WASM_THREADS\)/);
});

test("rnnkit backends prints a table with a GEMM speed for the fast backends", () => {
  const r = runCli(["backends"], { env: { RNNKIT_WASM_THREADS: "1" } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /backend\s+available\s+GEMM GFLOP\/s/);
  assert.match(r.stdout, /wasm\s+yes\s+\d+\.\d/);
  assert.match(r.stdout, /in use: /);
});
