/**
 * Register-blocked single-precision GEMM with 128-bit SIMD (GotoBLAS/BLIS structure):
 *   C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C
 * op(B) is packed once into NR-column panels (zero padded), op(A) into MR-row panels per
 * (KC × MC) block with alpha folded in; an MR×NR micro-kernel keeps its tile of C in registers
 * for a whole KC slice. Tails are computed into a scratch tile and added back element by element.
 * All pointers are byte offsets into linear memory; every matrix is row-major and dense.
 */

export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const MC: i32 = 128; // multiple of MR
export const NC: i32 = 512; // columns of op(B) packed per block (KC × NC floats = 512 KiB)
const DIRECT_MAX_M: i32 = 8 * MR; // rows, and floats of B (1 MiB), below which B is read unpacked
const DIRECT_MAX_B: i32 = 1 << 18;

/**
 * Scratch for ragged edge tiles. A global, so per instance: a worker thread sharing this
 * module's memory points its own instance at a private area with setTile().
 */
let TILE: usize = memory.data(MR * NR * 4, 16);

/** Use MR·NR floats at p (16-byte aligned) as this instance's edge-tile scratch. */
export function setTile(p: usize): void {
  TILE = p;
}

/** c + a·b: fused (one rounding) in the relaxed-SIMD build, mul then add otherwise. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (isDefined(RELAXED_SIMD)) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline export function roundUp(n: i32, m: i32): i32 {
  return ((n + m - 1) / m) * m;
}

/** Floats needed for op(B) packed: K × roundUp(N, NR). */
export function packedBFloats(K: i32, N: i32): i32 {
  return K * roundUp(N, NR);
}

/**
 * Pack the block k0 … k0+kb−1 × j0 … j0+nb−1 of op(B) (B stored [K, N] with row stride ldb, or
 * [N, K] when trans) into NR-column panels: the panel of columns j0+j … (j a multiple of NR) at
 * float offset j·kb, kb × NR floats, zero padded past column j0+nb.
 */
export function packBBlock(trans: bool, B: usize, ldb: i32, k0: i32, kb: i32, j0: i32, nb: i32, dst: usize): void {
  for (let jj = 0; jj < nb; jj += NR) {
    const jc = j0 + jj;
    const cols = min(NR, nb - jj);
    const p = dst + (<usize>(jj * kb) << 2);
    if (!trans) {
      if (cols == NR) {
        let s = B + (<usize>(k0 * ldb + jc) << 2);
        const ld = <usize>ldb << 2;
        for (let k = 0; k < kb; k++) {
          const q = p + (<usize>(k * NR) << 2);
          v128.store(q, v128.load(s));
          v128.store(q, v128.load(s, 16), 16);
          s += ld;
        }
      } else {
        for (let k = 0; k < kb; k++) {
          const q = p + (<usize>(k * NR) << 2);
          const s = B + (<usize>((k0 + k) * ldb + jc) << 2);
          for (let j = 0; j < NR; j++) store<f32>(q + (<usize>j << 2), j < cols ? load<f32>(s + (<usize>j << 2)) : 0);
        }
      }
    } else {
      // B stored [N, K]: op(B)(k, j) = B[j·K + k]; 4×4 register transposes where a full panel allows
      let k = 0;
      if (cols == NR) {
        const ld = <usize>ldb << 2;
        for (; k + 4 <= kb; k += 4) {
          for (let h = 0; h < NR; h += 4) {
            const s = B + (<usize>((jc + h) * ldb + k0 + k) << 2);
            const r0 = v128.load(s);
            const r1 = v128.load(s + ld);
            const r2 = v128.load(s + 2 * ld);
            const r3 = v128.load(s + 3 * ld);
            const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
            const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
            const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
            const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
            const q = p + (<usize>(k * NR + h) << 2);
            v128.store(q, i64x2.shuffle(t0, t1, 0, 2));
            v128.store(q, i64x2.shuffle(t0, t1, 1, 3), NR * 4);
            v128.store(q, i64x2.shuffle(t2, t3, 0, 2), NR * 8);
            v128.store(q, i64x2.shuffle(t2, t3, 1, 3), NR * 12);
          }
        }
      }
      for (; k < kb; k++) {
        const q = p + (<usize>(k * NR) << 2);
        for (let j = 0; j < NR; j++) store<f32>(q + (<usize>j << 2), j < cols ? load<f32>(B + (<usize>((jc + j) * ldb + k0 + k) << 2)) : 0);
      }
    }
  }
}

/**
 * Pack all of op(B) [K, N] for reuse across calls (the recurrent weights): the KC block starting
 * at k0 at float offset k0·roundUp(N, NR), laid out as packBBlock. packedBFloats(K, N) floats.
 */
export function packB(trans: bool, B: usize, K: i32, N: i32, dst: usize): void {
  const Npad = roundUp(N, NR);
  for (let k0 = 0; k0 < K; k0 += KC) packBBlock(trans, B, trans ? K : N, k0, min(KC, K - k0), 0, N, dst + (<usize>(k0 * Npad) << 2));
}

/**
 * Pack rows i0 … i0+mb−1, columns k0 … k0+kb−1 of alpha·op(A) (A stored [M, K] with row stride
 * lda, or [K, M] when trans) into MR-row panels: panel r at float offset r·kb, kb × MR floats,
 * zero padded rows.
 */
export function packA(trans: bool, A: usize, lda: i32, i0: i32, mb: i32, k0: i32, kb: i32, alpha: f32, dst: usize): void {
  const va = f32x4.splat(alpha);
  for (let ir = 0; ir < mb; ir += MR) {
    const rows = min(MR, mb - ir);
    const p = dst + (<usize>(ir * kb) << 2);
    if (!trans && rows == MR && MR == 4) {
      // 4×4 register transposes: rows r0..r3 of A, 4 k's at a time → 4 panel rows of MR floats
      const s0 = A + (<usize>((i0 + ir) * lda + k0) << 2);
      const ld = <usize>lda << 2;
      let k = 0;
      for (; k + 4 <= kb; k += 4) {
        const s = s0 + (<usize>k << 2);
        const r0 = v128.load(s);
        const r1 = v128.load(s + ld);
        const r2 = v128.load(s + 2 * ld);
        const r3 = v128.load(s + 3 * ld);
        const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        const q = p + (<usize>(k * MR) << 2);
        v128.store(q, f32x4.mul(i64x2.shuffle(t0, t1, 0, 2), va));
        v128.store(q, f32x4.mul(i64x2.shuffle(t0, t1, 1, 3), va), 16);
        v128.store(q, f32x4.mul(i64x2.shuffle(t2, t3, 0, 2), va), 32);
        v128.store(q, f32x4.mul(i64x2.shuffle(t2, t3, 1, 3), va), 48);
      }
      for (; k < kb; k++) {
        for (let r = 0; r < MR; r++) store<f32>(p + (<usize>(k * MR + r) << 2), alpha * load<f32>(s0 + <usize>r * ld + (<usize>k << 2)));
      }
    } else if (!trans) {
      for (let r = 0; r < MR; r++) {
        if (r < rows) {
          const s = A + (<usize>((i0 + ir + r) * lda + k0) << 2);
          if (alpha == 1) for (let k = 0; k < kb; k++) store<f32>(p + (<usize>(k * MR + r) << 2), load<f32>(s + (<usize>k << 2)));
          else for (let k = 0; k < kb; k++) store<f32>(p + (<usize>(k * MR + r) << 2), alpha * load<f32>(s + (<usize>k << 2)));
        } else {
          for (let k = 0; k < kb; k++) store<f32>(p + (<usize>(k * MR + r) << 2), 0);
        }
      }
    } else if (rows == MR && MR == 4) {
      let s = A + (<usize>(k0 * lda + i0 + ir) << 2);
      const ld = <usize>lda << 2;
      for (let k = 0; k < kb; k++) {
        v128.store(p + (<usize>(k * MR) << 2), f32x4.mul(v128.load(s), va));
        s += ld;
      }
    } else {
      for (let k = 0; k < kb; k++) {
        const s = A + (<usize>((k0 + k) * lda + i0 + ir) << 2);
        for (let r = 0; r < MR; r++) store<f32>(p + (<usize>(k * MR + r) << 2), r < rows ? alpha * load<f32>(s + (<usize>r << 2)) : 0);
      }
    }
  }
}

/** Store the 4×8 register tile (row r in c_r0, c_r1) to C at c (row stride ldc bytes): = or +=. */
// @ts-ignore: decorator
@inline function storeTile(c: usize, ldc: usize, overwrite: bool, c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  if (overwrite) {
    v128.store(c, c00); v128.store(c, c01, 16); c += ldc;
    v128.store(c, c10); v128.store(c, c11, 16); c += ldc;
    v128.store(c, c20); v128.store(c, c21, 16); c += ldc;
    v128.store(c, c30); v128.store(c, c31, 16);
  } else {
    v128.store(c, f32x4.add(v128.load(c), c00)); v128.store(c, f32x4.add(v128.load(c, 16), c01), 16); c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c10)); v128.store(c, f32x4.add(v128.load(c, 16), c11), 16); c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c20)); v128.store(c, f32x4.add(v128.load(c, 16), c21), 16); c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c30)); v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
  }
}

/**
 * MR×NR micro-kernel: C tile (row stride ldc bytes) = or += Apanel · Bpanel over kc; consecutive
 * k rows of the B panel are bst bytes apart (NR·4 when packed, B's row stride when read in place).
 * Deliberately not @inline: as its own function V8 keeps the 8 accumulators, 2 B vectors and
 * the A broadcasts in registers; inlined twice into macro() (full and edge tiles) the loop ran
 * 4 % slower at 512³ and 9–11 % slower at M = 64 (Node 20). V8 (Node 20) issues all loads of a
 * k step before its FMAs, so a tile needs MR + NR/4 + MR·NR/4 of the 15 xmm registers it
 * allocates: 4×8 takes 14; 5×8 (17) spills two accumulators and ran 40 % slower; 3×12 (15) fits
 * but was no faster (53.8 vs 52.9 GFLOP/s with its panels in L1, against an FMA-loop peak of 55).
 */
function micro(kc: i32, pa: usize, pb: usize, bst: usize, c: usize, ldc: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += bst;
  }
  storeTile(c, ldc, overwrite, c00, c01, c10, c11, c20, c21, c30, c31);
}

/**
 * micro() on a B panel read in place (rows of op(B) at src, row stride ldb bytes) that also packs
 * it and the next panel: this panel's k row to dst, the next one's to dst2. The first row tile of
 * a block does this, so B is packed by the loads that feed the FMAs instead of by a separate pass
 * (whose strided reads the multiply could not overlap). Each k step takes 64 contiguous bytes
 * of a source row (two panels' worth), so no cache line is fetched twice. It repeats micro()'s
 * loop on purpose: copying the pair first and then calling micro() on it (in L1) gave the same
 * results but ran 64×768×1024 at 45.5 GFLOP/s against 46.8 (old code: 45.0).
 */
function microPack2(kc: i32, pa: usize, src: usize, ldb: usize, dst: usize, dst2: usize, c: usize, ldc: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    v128.store(dst2, v128.load(src, 32));
    v128.store(dst2, v128.load(src, 48), 16);
    const b0 = v128.load(src);
    const b1 = v128.load(src, 16);
    v128.store(dst, b0);
    v128.store(dst, b1, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    src += ldb;
    dst += NR * 4;
    dst2 += NR * 4;
  }
  storeTile(c, ldc, overwrite, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** C tile (rows × cols at c, row stride ldcb bytes) = or += the edge tile computed into TILE. */
function addTile(c: usize, ldcb: usize, rows: i32, cols: i32, overwrite: bool): void {
  for (let r = 0; r < rows; r++) {
    const cr = c + <usize>r * ldcb;
    const tr = TILE + (<usize>(r * NR) << 2);
    for (let j = 0; j < cols; j++) {
      const t = load<f32>(tr + (<usize>j << 2));
      const q = cr + (<usize>j << 2);
      store<f32>(q, overwrite ? t : load<f32>(q) + t);
    }
  }
}

/**
 * Macro-kernel: C block [mb, nb] (row stride ldc floats) (= or +=) packed A block · packed B block
 * over kb, panels laid out as packA / packBBlock. Rows outer, columns inner: C is walked along
 * its rows (prefetch-friendly when it is large), the A micro-panel stays in L1 and B panels
 * stream from L2. (The BLIS order, columns outer, measured 3–10 % slower here under V8.)
 * Direct mode (Bd ≠ 0): the full NR-column panels are read in place from op(B) rows at Bd (row
 * stride ldbb bytes) and only the ragged last panel is packed, at pb.
 * Fused packing (Bs ≠ 0): the first row tile reads each even pair of full panels from op(B) rows
 * at Bs (row stride ldbb bytes) and packs both into pb while computing the first; every later
 * tile reads them packed. Panels past the last full pair were packed beforehand.
 */
function macro(mb: i32, nb: i32, kb: i32, pa: usize, pb: usize, C: usize, ldc: i32, overwrite: bool, Bd: usize = 0, ldbb: usize = 0, Bs: usize = 0): void {
  const ldcb = <usize>ldc << 2;
  for (let ir = 0; ir < mb; ir += MR) {
    const rows = min(MR, mb - ir);
    const pap = pa + (<usize>(ir * kb) << 2);
    for (let jj = 0; jj < nb; jj += NR) {
      const cols = min(NR, nb - jj);
      let pbp = pb + (<usize>(jj * kb) << 2);
      let bst: usize = NR * 4;
      if (Bs != 0 && ir == 0 && (jj & NR) == 0 && jj + 2 * NR <= nb) {
        // first row tile: pack panels jj and jj + NR from op(B) while computing panel jj
        const c = rows == MR ? C + (<usize>jj << 2) : TILE;
        microPack2(kb, pap, Bs + (<usize>jj << 2), ldbb, pbp, pbp + (<usize>(NR * kb) << 2), c, rows == MR ? ldcb : NR * 4, rows == MR ? overwrite : true);
        if (rows < MR) addTile(C + (<usize>jj << 2), ldcb, rows, cols, overwrite);
        continue;
      }
      if (Bd != 0) {
        if (cols == NR) {
          pbp = Bd + (<usize>jj << 2);
          bst = ldbb;
        } else pbp = pb;
      }
      const c = C + (<usize>(ir * ldc + jj) << 2);
      if (rows == MR && cols == NR) {
        micro(kb, pap, pbp, bst, c, ldcb, overwrite);
      } else {
        micro(kb, pap, pbp, bst, TILE, NR * 4, true);
        addTile(c, ldcb, rows, cols, overwrite);
      }
    }
  }
}

/**
 * C[M,N] (= or +=) alpha·op(A)·op(B) with op(B) already packed whole by packB; `overwrite` = beta 0.
 * paBuf holds one packed A block (MC·KC floats).
 */
export function gemmPackedB(transA: bool, M: i32, N: i32, K: i32, alpha: f32, A: usize, pB: usize, overwrite: bool, C: usize, paBuf: usize): void {
  const Npad = roundUp(N, NR);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kb = min(KC, K - k0);
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mb = min(MC, M - i0);
      packA(transA, A, transA ? M : K, i0, mb, k0, kb, alpha, paBuf);
      // NC columns at a time, so the slice of packed B being streamed stays in L2 (a 256 × 1024
      // recurrent weight is 1 MiB: walking all of it for every MR rows ran at 60 % of the kernel)
      for (let j0 = 0; j0 < N; j0 += NC) {
        const nb = min(NC, N - j0);
        macro(mb, nb, kb, paBuf, pB + (<usize>(k0 * Npad + j0 * kb) << 2), C + (<usize>(i0 * N + j0) << 2), N, overwrite && k0 == 0);
      }
    }
  }
}

/** Scale n floats at x by s (s = 0 writes zeros, so NaNs do not survive). */
export function scaleInPlace(x: usize, n: i32, s: f32): void {
  if (s == 0) {
    memory.fill(x, 0, <usize>n << 2);
    return;
  }
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const p = x + (<usize>i << 2);
    v128.store(p, f32x4.mul(v128.load(p), vs));
  }
  for (; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, s * load<f32>(p));
  }
}

/** Floats of workspace gemm() needs: one packed B block and one packed A block. */
export function gemmWorkFloats(M: i32, N: i32, K: i32): i32 {
  return KC * NC + MC * KC;
}

/** Full GEMM on dense row-major matrices (see Backend.gemm). ws: gemmWorkFloats floats, 16-byte aligned. */
export function gemm(transA: bool, transB: bool, M: i32, N: i32, K: i32, alpha: f32, A: usize, B: usize, beta: f32, C: usize, ws: usize): void {
  gemmLd(transA, transB, M, N, K, alpha, A, transA ? M : K, B, transB ? K : N, beta, C, N, ws);
}

/**
 * GEMM on sub-matrices: A, B, C have row strides lda, ldb, ldc (floats), so a thread can take a
 * block of rows or columns of C in place. Every element of C is computed with the same K blocking
 * whatever the block, so splitting C between threads gives bit-identical results.
 */
export function gemmLd(transA: bool, transB: bool, M: i32, N: i32, K: i32, alpha: f32, A: usize, lda: i32, B: usize, ldb: i32, beta: f32, C: usize, ldc: i32, ws: usize): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0) {
    if (beta != 1) for (let i = 0; i < M; i++) scaleInPlace(C + (<usize>(i * ldc) << 2), N, beta);
    return;
  }
  if (beta != 0 && beta != 1) for (let i = 0; i < M; i++) scaleInPlace(C + (<usize>(i * ldc) << 2), N, beta);
  const pb = ws;
  const pa = ws + (<usize>(KC * NC) << 2);
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nb = min(NC, N - j0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kb = min(KC, K - k0);
      // Few rows and a B that sits in L2: each B panel would serve only M/MR row tiles, so
      // packing it costs more than reading it where it lies (32×128×512: 46 → 50 GFLOP/s). A
      // large B read in place misses the cache on every row (64×1024×4096: 42 → 34), so it is packed.
      const direct = !transB && M <= DIRECT_MAX_M && <i64>K * N <= DIRECT_MAX_B;
      const full = direct ? nb / NR * NR : 0;
      // !transB: pairs of full panels are packed by the first row tile (microPack2), so the FMAs
      // run while B streams in instead of after a separate pass (64×768×1024: 43.7 → 45.7–46.8
      // GFLOP/s, 64×1024×4096: 42.3 → 43.6, bit-identical results); the other panels are packed here
      const fused = !direct && !transB ? nb / (2 * NR) * (2 * NR) : 0;
      if (direct) {
        if (full < nb) packBBlock(false, B, ldb, k0, kb, j0 + full, nb - full, pb);
      } else if (fused < nb) packBBlock(transB, B, ldb, k0, kb, j0 + fused, nb - fused, pb + (<usize>(fused * kb) << 2));
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mb = min(MC, M - i0);
        packA(transA, A, lda, i0, mb, k0, kb, alpha, pa);
        const Bd = direct ? B + (<usize>(k0 * ldb + j0) << 2) : 0;
        const Bs = fused > 0 && i0 == 0 ? B + (<usize>(k0 * ldb + j0) << 2) : 0;
        macro(mb, nb, kb, pa, pb, C + (<usize>(i0 * ldc + j0) << 2), ldc, beta == 0 && k0 == 0, Bd, <usize>ldb << 2, Bs);
      }
    }
  }
}
