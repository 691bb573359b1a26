/**
 * The benchmark's hand-assembled wasm FMA loop (bench/wasm-peak.ts) must be a valid module that
 * really runs `iters` × `chains` multiply-adds: its "% of wasm peak" column is only as good as that.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { peakModuleBytes } from "../../bench/wasm-peak.js";
import { loadWasmBackendSync, relaxedSimdSupported } from "../../src/kernels/wasm/index.js";

loadWasmBackendSync({ threads: 1 }); // turns on relaxed SIMD in Node 20

for (const relaxed of [false, true]) {
  test(`wasm peak loop (${relaxed ? "relaxed madd" : "mul + add"}) computes chains × iters × x·y`, (t) => {
    if (relaxed && !relaxedSimdSupported()) return t.skip("this engine has no relaxed SIMD");
    for (const [chains, iters] of [[8, 1000], [11, 37]] as const) {
      const bytes = peakModuleBytes(chains, relaxed);
      assert.ok(WebAssembly.validate(bytes), `module with ${chains} chains does not validate`);
      const peak = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports.peak as (n: number) => number;
      // every chain adds x·y = 1.0000001 · 1e-7 once per iteration, from 0
      const want = chains * iters * 1.0000001e-7;
      const got = peak(iters);
      assert.ok(Math.abs(got - want) <= 1e-3 * want, `${chains} chains × ${iters}: got ${got}, want ${want}`);
    }
  });
}
