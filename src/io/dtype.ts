/**
 * safetensors element types: sizes, and decoding little-endian bytes into rnnkit's two storage
 * types (float32 for floats, int32 for integers). Throws plain Errors; the caller adds context.
 */
export const DTYPE_SIZE = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  F64: 8, I64: 8, U64: 8,
} as const;
export type SafetensorsDtype = keyof typeof DTYPE_SIZE;

export const isDtype = (s: unknown): s is SafetensorsDtype => typeof s === "string" && Object.hasOwn(DTYPE_SIZE, s);

/** Dtypes load() can read: floats become float32, integers int32 (range-checked). */
export const READABLE: ReadonlySet<SafetensorsDtype> = new Set<SafetensorsDtype>(["F64", "F32", "F16", "BF16", "I64", "U64", "I32", "U32", "I16", "U16", "I8", "U8", "BOOL"]);

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let f16Table: Float32Array | null = null;
/** IEEE half → float32 for all 65536 bit patterns (exact: every half is a float32). */
function f16Lut(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) t[h] = sign * m * 2 ** -24; // zero / subnormal
    else if (e === 31) t[h] = m ? NaN : sign * Infinity;
    else t[h] = sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  return (f16Table = t);
}

/** Decode n elements of `dtype` from `bytes` (exactly n × size bytes, little-endian). */
export function decode(dtype: SafetensorsDtype, bytes: Uint8Array, n: number): Float32Array | Int32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F32": {
      // new Uint8Array(view) copies into a fresh, aligned buffer (a Node Buffer's slice() would not)
      if (LITTLE_ENDIAN_HOST) return new Float32Array(new Uint8Array(bytes).buffer);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    }
    case "F64": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const x = dv.getFloat64(8 * i, true);
        out[i] = x;
        if (Number.isFinite(x) && !Number.isFinite(out[i]!)) throw new Error(`element ${i} (${x}) overflows float32`);
      }
      return out;
    }
    case "F16": {
      const lut = f16Lut();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = lut[dv.getUint16(2 * i, true)]!;
      return out;
    }
    case "BF16": {
      // bfloat16 is the top half of a float32: shift the bits into place
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = dv.getUint16(2 * i, true) << 16;
      return out;
    }
    case "I32":
      if (LITTLE_ENDIAN_HOST) return new Int32Array(new Uint8Array(bytes).buffer);
      return Int32Array.from({ length: n }, (_, i) => dv.getInt32(4 * i, true));
    case "I64":
    case "U64":
      return Int32Array.from({ length: n }, (_, i) => {
        const lo = dv.getInt32(8 * i, true);
        const hi = dv.getInt32(8 * i + 4, true);
        // fits int32 iff the high word is the sign extension of the low word (U64: and non-negative)
        if (hi !== lo >> 31 || (dtype === "U64" && hi !== 0)) throw new Error(`element ${i} (${dtype === "I64" ? dv.getBigInt64(8 * i, true) : dv.getBigUint64(8 * i, true)}) does not fit in int32`);
        return lo;
      });
    case "U32":
      return Int32Array.from({ length: n }, (_, i) => {
        const x = dv.getUint32(4 * i, true);
        if (x > 0x7fffffff) throw new Error(`element ${i} (${x}) does not fit in int32`);
        return x;
      });
    case "I16": return Int32Array.from({ length: n }, (_, i) => dv.getInt16(2 * i, true));
    case "U16": return Int32Array.from({ length: n }, (_, i) => dv.getUint16(2 * i, true));
    case "I8": return Int32Array.from({ length: n }, (_, i) => dv.getInt8(i));
    case "U8": return Int32Array.from(bytes);
    case "BOOL": return Int32Array.from(bytes, (b) => (b ? 1 : 0));
    default:
      throw new Error(`dtype ${dtype} cannot be loaded (readable: ${[...READABLE].join(", ")})`);
  }
}

/** The little-endian bytes of a float32 (F32) or int32 (I32) array. */
export function encode(data: Float32Array | Int32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  data.forEach((x, i) => (data instanceof Float32Array ? dv.setFloat32(4 * i, x, true) : dv.setInt32(4 * i, x, true)));
  return out;
}

/**
 * float32 → IEEE half bits, round to nearest even (as numpy's and PyTorch's `.half()`): overflow
 * goes to ±Infinity, tiny values to subnormals or ±0, NaN stays NaN. Used to write F16 files.
 */
export function toF16Bits(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < data.length; i++) {
    f[0] = data[i]!;
    const x = u[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or a quiet NaN
      continue;
    }
    const e = exp - 127 + 15; // rebias
    if (e >= 31) {
      out[i] = sign | 0x7c00; // overflow → Inf
      continue;
    }
    if (e <= 0) {
      // subnormal half (or zero): shift the mantissa with its hidden bit into place, round to nearest even
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      const half = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      out[i] = sign | (half + (rem > mid || (rem === mid && half & 1) ? 1 : 0));
      continue;
    }
    const half = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    // a carry out of the mantissa bumps the exponent, which is the right result (up to Inf)
    out[i] = sign | (half + (rem > 0x1000 || (rem === 0x1000 && half & 1) ? 1 : 0));
  }
  return out;
}

/** Little-endian bytes of half-precision bits. */
export function encodeF16(data: Float32Array): Uint8Array {
  const bits = toF16Bits(data);
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
  const out = new Uint8Array(bits.byteLength);
  const dv = new DataView(out.buffer);
  bits.forEach((b, i) => dv.setUint16(2 * i, b, true));
  return out;
}
