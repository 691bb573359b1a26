/**
 * A bump allocator over the wasm module's linear memory. Each kernel call resets it, allocates
 * its buffers, commits (growing the memory only when the high-water mark rises, by at least half
 * again, so steady-state training never grows it), copies inputs in and results out.
 */
import type { F32, I32 } from "../backend.js";

const ALIGN = 64; // bytes: one cache line, and v128 alignment
const PAGE = 65536;
const MAX_BYTES = 65536 * PAGE; // wasm32: 4 GiB

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export class Arena {
  private base: number;
  private top: number;
  f32: Float32Array;
  i32: Int32Array;

  constructor(private readonly memory: WebAssembly.Memory, heapBase: number) {
    this.base = alignUp(heapBase, ALIGN);
    this.top = this.base;
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
  }

  /** Bytes of linear memory currently reserved by the module. */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  reset(): void {
    this.top = this.base;
  }

  /**
   * Take n 4-byte elements out of the arena for good (long-lived buffers): they sit below the
   * arena's base, which moves up. Only between kernel calls. Returns the byte offset.
   */
  reserve(n: number): number {
    const p = this.base;
    this.base = alignUp(p + 4 * Math.max(0, n), ALIGN);
    this.top = this.base;
    this.commit();
    return p;
  }

  /** Reserve n 4-byte elements; returns the byte offset (never 0, so 0 can mean "absent"). */
  alloc(n: number): number {
    const p = this.top;
    this.top = alignUp(p + 4 * Math.max(0, n), ALIGN);
    return p;
  }

  /** Make every allocation since reset() addressable (grows memory if needed; refreshes views). */
  commit(): void {
    const have = this.memory.buffer.byteLength;
    if (this.top > have) {
      if (this.top > MAX_BYTES) throw new RangeError(`wasm backend: a kernel needs ${(this.top / 2 ** 20).toFixed(0)} MiB of linear memory, more than wasm32's 4096 MiB (hint: use a smaller batch, or RNNKIT_BACKEND=ref)`);
      const want = Math.min(MAX_BYTES, Math.max(this.top, Math.floor(have * 1.5)));
      this.memory.grow(Math.ceil((want - have) / PAGE));
    }
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
  }

  /** Copy the first n elements of src to byte offset p. */
  put(p: number, src: F32 | I32, n: number): void {
    if (n <= 0) return;
    if (src instanceof Int32Array) this.i32.set(src.subarray(0, n), p >> 2);
    else this.f32.set(src.subarray(0, n), p >> 2);
  }

  /** Copy n floats at byte offset p into the start of dst. */
  get(p: number, dst: F32, n: number): void {
    if (n <= 0) return;
    dst.set(this.f32.subarray(p >> 2, (p >> 2) + n));
  }
}
