/**
 * Optimizer updates and the memory-bound vector kernels of the wasm backend (Adam, SGD,
 * sumSquares, scale): resident optimizer state updated in place over the threads, anything else
 * streamed through the arena in chunks.
 */
import type { AdamStepOptions, Backend, F32, SgdStepOptions } from "../backend.js";
import { refBackend } from "../ref/index.js";
import { OP_KERNELS } from "./pool-protocol.js";
import { CHUNK, b01, type WasmContext } from "./context.js";
import { OP_ADAM, OP_SGD, splitRange } from "./pool.js";

export function optimKernels(cx: WasmContext): Pick<Backend, "adamStep" | "sgdStep" | "sumSquares" | "scale"> {
  const { ex, ar, pool, small, resident, begin } = cx;
  const ref = refBackend;

  /**
   * An elementwise optimizer update of n parameters: p and the state buffers `st` read and
   * written, g read; `args(p, g, st, len)` is the kernel's argument list for one range. When the
   * state lives in the shared memory (allocState; p usually too) only g (and a non-resident p)
   * is copied, and the range is split over the threads — theirs copied in first, the main
   * thread copying its own while they compute (copies are most of such a step). Otherwise
   * everything streams through the arena in chunks on one thread.
   */
  function optimizerUpdate(op: number, p: F32, g: F32, st: readonly F32[], n: number, args: (p: number, g: number, st: readonly number[], len: number) => number[], what: string): void {
    const fn = (ex as unknown as Record<string, (...a: number[]) => void>)[OP_KERNELS[op]![0]]!;
    const rs = st.map((b) => (b.length >= n ? resident.get(b) : undefined));
    if (pool && rs.every((r) => r !== undefined)) {
      const rp = p.length >= n ? resident.get(p) : undefined;
      begin();
      const pp = rp ?? ar.alloc(n), pg = ar.alloc(n);
      ar.commit();
      const ranges = splitRange(n, n >= pool.minWork / 8 ? pool.threads : 1, 16);
      const copyIn = ([a, b]: [number, number]): void => {
        if (rp === undefined) ar.put(pp + 4 * a, p.subarray(a), b - a);
        ar.put(pg + 4 * a, g.subarray(a), b - a);
      };
      ranges.slice(1).forEach(copyIn);
      const parts = ranges.map(([a, b]) => args(pp + 4 * a, pg + 4 * a, rs.map((r) => r! + 4 * a), b - a));
      pool.run(op, parts, (x) => {
        if (x === parts[0]) copyIn(ranges[0]!);
        fn(...x);
      }, what);
      if (rp === undefined) ar.get(pp, p, n);
      return;
    }
    const L = Math.min(n, CHUNK);
    begin();
    const pp = ar.alloc(L), pg = ar.alloc(L), ps = st.map(() => ar.alloc(L));
    ar.commit();
    for (let i = 0; i < n; i += CHUNK) {
      const len = Math.min(CHUNK, n - i);
      ar.put(pp, p.subarray(i), len);
      ar.put(pg, g.subarray(i), len);
      st.forEach((b, k) => ar.put(ps[k]!, b.subarray(i), len));
      fn(...args(pp, pg, ps, len));
      ar.get(pp, p.subarray(i), len);
      st.forEach((b, k) => ar.get(ps[k]!, b.subarray(i), len));
    }
  }

  function adamStep(p: F32, g: F32, m: F32, v: F32, n: number, o: AdamStepOptions): void {
    if (n < small) return ref.adamStep(p, g, m, v, n, o);
    const stepSize = o.lr / (1 - Math.pow(o.beta1, o.step));
    const sqrtBc2 = Math.sqrt(1 - Math.pow(o.beta2, o.step));
    optimizerUpdate(OP_ADAM, p, g, [m, v], n, (pp, pg, [pm, pv], len) => [pp, pg, pm!, pv!, len, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, b01(o.decoupled), stepSize, sqrtBc2], "an Adam step");
  }

  function sgdStep(p: F32, g: F32, buf: F32 | null, n: number, o: SgdStepOptions): void {
    if (n < small) return ref.sgdStep(p, g, buf, n, o);
    const st = buf && o.momentum !== 0 ? [buf] : [];
    optimizerUpdate(OP_SGD, p, g, st, n, (pp, pg, [pb], len) => [pp, pg, pb ?? 0, len, o.lr, o.momentum, o.dampening, o.weightDecay, b01(o.nesterov), b01(o.firstStep)], "an SGD step");
  }

  function sumSquares(x: F32, n: number): number {
    if (n < small) return ref.sumSquares(x, n);
    const L = Math.min(n, CHUNK);
    begin();
    const px = ar.alloc(L);
    ar.commit();
    let s = 0;
    for (let i = 0; i < n; i += CHUNK) {
      const len = Math.min(CHUNK, n - i);
      ar.put(px, x.subarray(i), len);
      s += ex.sumSquares(px, len);
    }
    return s;
  }

  function scale(x: F32, s: number, n: number): void {
    if (n < small) return ref.scale(x, s, n);
    const L = Math.min(n, CHUNK);
    begin();
    const px = ar.alloc(L);
    ar.commit();
    for (let i = 0; i < n; i += CHUNK) {
      const len = Math.min(CHUNK, n - i);
      ar.put(px, x.subarray(i), len);
      ex.scaleInPlace(px, len, s);
      ar.get(px, x.subarray(i), len);
    }
  }

  return { adamStep, sgdStep, sumSquares, scale };
}
