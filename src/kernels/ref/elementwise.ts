import type { BinaryOp, F32, UnaryOp } from "../backend.js";

export const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export function unary(op: UnaryOp, x: F32, out: F32, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    switch (op) {
      case "neg": out[i] = -v; break;
      case "exp": out[i] = Math.exp(v); break;
      case "log": out[i] = Math.log(v); break;
      case "sigmoid": out[i] = sigmoid(v); break;
      case "tanh": out[i] = Math.tanh(v); break;
      case "relu": out[i] = v > 0 ? v : 0; break;
      case "sqrt": out[i] = Math.sqrt(v); break;
      case "abs": out[i] = Math.abs(v); break;
    }
  }
}

/** dx += dy · op'(x); derivatives written with y = op(x) where that is cheaper. */
export function unaryBackward(op: UnaryOp, x: F32, y: F32, dy: F32, dx: F32, n: number): void {
  for (let i = 0; i < n; i++) {
    const g = dy[i]!;
    let d: number;
    switch (op) {
      case "neg": d = -1; break;
      case "exp": d = y[i]!; break;
      case "log": d = 1 / x[i]!; break;
      case "sigmoid": d = y[i]! * (1 - y[i]!); break;
      case "tanh": d = 1 - y[i]! * y[i]!; break;
      case "relu": d = x[i]! > 0 ? 1 : 0; break;
      case "sqrt": d = 0.5 / y[i]!; break;
      case "abs": d = x[i]! > 0 ? 1 : x[i]! < 0 ? -1 : 0; break;
    }
    dx[i]! += g * d;
  }
}

/** Broadcasting binary op over the index space `shape` with per-operand strides. */
export function binary(op: BinaryOp, a: F32, aStrides: readonly number[], b: F32, bStrides: readonly number[], out: F32, shape: readonly number[]): void {
  const nd = shape.length;
  let n = 1;
  for (const s of shape) n *= s;
  const idx = new Array<number>(nd).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    const u = a[ia]!;
    const v = b[ib]!;
    out[i] = op === "add" ? u + v : op === "sub" ? u - v : op === "mul" ? u * v : u / v;
    // odometer increment over the last dimension first
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      ia += aStrides[d]!;
      ib += bStrides[d]!;
      if (idx[d]! < shape[d]!) break;
      ia -= aStrides[d]! * shape[d]!;
      ib -= bStrides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function sumAxis(x: F32, outer: number, n: number, inner: number, out: F32): void {
  // row by row, so the inner loop walks memory contiguously
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    for (let j = 0; j < inner; j++) out[ob + j] = 0;
    for (let k = 0; k < n; k++) {
      const xb = (o * n + k) * inner;
      for (let j = 0; j < inner; j++) out[ob + j]! += x[xb + j]!;
    }
  }
}

export function logSoftmax(x: F32, outer: number, n: number, inner: number, out: F32): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const at = (k: number): number => (o * n + k) * inner + j;
      let mx = -Infinity;
      for (let k = 0; k < n; k++) mx = Math.max(mx, x[at(k)]!);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(x[at(k)]! - mx);
      const lse = mx + Math.log(s);
      for (let k = 0; k < n; k++) out[at(k)] = x[at(k)]! - lse;
    }
  }
}

export function sumSquares(x: F32, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]! * x[i]!;
  return s;
}

export function scale(x: F32, s: number, n: number): void {
  for (let i = 0; i < n; i++) x[i]! *= s;
}
