/**
 * The 128-bit SIMD peak of this JavaScript engine on this core: a wasm loop of `chains`
 * independent f32x4 fused multiply-adds (relaxed SIMD; f32x4.mul + f32x4.add without it),
 * register-only, so it measures what V8's code for wasm SIMD can reach here, the ceiling for
 * rnnkit's wasm GEMM kernel. The module is assembled here (a few dozen bytes) rather than
 * shipped: it is a measuring stick, not a kernel.
 *
 *   acc_c ← x · y + acc_c      for c = 0 … chains−1, `iters` times      (8 flops per FMA)
 */

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** Unsigned LEB128, as every wasm section length and index is written. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const f32 = (v: number): number[] => [...new Uint8Array(new Float32Array([v]).buffer)];

/** (func (param $iters i32) (result f32)) with `chains` v128 accumulators, exported as "peak". */
export function peakModuleBytes(chains: number, relaxed: boolean): Uint8Array<ArrayBuffer> {
  const X = 1 + chains, Y = 2 + chains; // locals: 0 = iters, 1…chains = accumulators, then x, y
  const body: number[] = [0x01, ...leb(chains + 2), 0x7b]; // one local group: chains + 2 v128
  body.push(0x43, ...f32(1.0000001), 0xfd, 0x13, 0x21, ...leb(X)); // x = splat(1.0000001)
  body.push(0x43, ...f32(1e-7), 0xfd, 0x13, 0x21, ...leb(Y)); //       y = splat(1e-7)
  body.push(0x02, 0x40, 0x03, 0x40); // block, loop
  for (let c = 1; c <= chains; c++) {
    if (relaxed) body.push(0x20, ...leb(X), 0x20, ...leb(Y), 0x20, ...leb(c), 0xfd, 0x85, 0x02); // f32x4.relaxed_madd
    else body.push(0x20, ...leb(X), 0x20, ...leb(Y), 0xfd, 0xe6, 0x01, 0x20, ...leb(c), 0xfd, 0xe4, 0x01); // f32x4.mul, f32x4.add
    body.push(0x21, ...leb(c));
  }
  body.push(0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x0b); // iters -= 1; br_if loop; end; end
  // result: the sum of lane 0 of every accumulator, so no chain is dead code
  body.push(0x20, 0x01, 0xfd, 0x1f, 0x00);
  for (let c = 2; c <= chains; c++) body.push(0x20, ...leb(c), 0xfd, 0x1f, 0x00, 0x92);
  body.push(0x0b);
  const code = [0x01, ...leb(body.length), ...body];
  const name = [..."peak"].map((ch) => ch.charCodeAt(0));
  return new Uint8Array([
    ...HEADER,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7d]), // type 0: (i32) -> f32
    ...section(3, [0x01, 0x00]), // function 0 has type 0
    ...section(7, [0x01, name.length, ...name, 0x00, 0x00]), // export "peak" = func 0
    ...section(10, code),
  ]);
}

/**
 * Best GFLOP/s over 8, 10 and 12 chains (V8 must keep them all in xmm registers; fewer than
 * latency × ports chains cannot fill the FMA units). `relaxed` needs the engine's relaxed SIMD
 * (the backend loader turns it on in Node 20).
 */
export function wasmPeakGflops(relaxed: boolean, iters = 2e7): { gflops: number; chains: number } {
  let best = { gflops: 0, chains: 0 };
  for (const chains of [8, 10, 12]) {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(peakModuleBytes(chains, relaxed)), {});
    const peak = inst.exports.peak as (n: number) => number;
    peak(iters / 10); // tier up
    for (let r = 0; r < 5; r++) {
      const t0 = process.cpuUsage();
      peak(iters);
      const u = process.cpuUsage(t0);
      const g = (iters * chains * 8) / ((u.user + u.system) / 1e6) / 1e9;
      if (g > best.gflops) best = { gflops: g, chains };
    }
  }
  return best;
}
