/**
 * Compressed sparse row (CSR) matrices for bag-of-n-gram features: row r holds the column indices
 * indices[indptr[r] … indptr[r+1]) (ascending) with values data[same range].
 */

export interface CsrMatrix {
  rows: number;
  cols: number;
  /** [rows + 1] row start offsets into indices/data. */
  indptr: Int32Array;
  /** [nnz] column index of each stored value, ascending within a row. */
  indices: Int32Array;
  /** [nnz] stored values. */
  data: Float32Array;
}

/** Incremental CSR builder: append rows one by one. */
export class CsrBuilder {
  private indptr: number[] = [0];
  private indices: Int32Array;
  private data: Float32Array;
  private nnz = 0;

  constructor(
    readonly cols: number,
    capacity = 1 << 16,
  ) {
    this.indices = new Int32Array(capacity);
    this.data = new Float32Array(capacity);
  }

  /**
   * Append a row from (column, value) pairs; columns must be distinct. They are sorted here unless
   * `sorted` says they already ascend.
   */
  addRow(cols: ArrayLike<number>, vals: ArrayLike<number>, sorted = false): void {
    const k = cols.length;
    if (vals.length !== k) throw new RangeError(`CsrBuilder.addRow: ${k} columns but ${vals.length} values`);
    if (this.nnz + k > this.indices.length) {
      const cap = Math.max(this.indices.length * 2, this.nnz + k);
      const ni = new Int32Array(cap);
      ni.set(this.indices.subarray(0, this.nnz));
      const nd = new Float32Array(cap);
      nd.set(this.data.subarray(0, this.nnz));
      this.indices = ni;
      this.data = nd;
    }
    const order = sorted ? null : Array.from({ length: k }, (_, i) => i).sort((a, b) => cols[a]! - cols[b]!);
    let prev = -1;
    for (let j = 0; j < k; j++) {
      const o = order === null ? j : order[j]!;
      const c = cols[o]!;
      if (!(c >= 0 && c < this.cols)) throw new RangeError(`CsrBuilder.addRow: column ${c} out of range [0, ${this.cols})`);
      if (c <= prev) throw new RangeError(`CsrBuilder.addRow: column ${c} ${c === prev ? "repeated" : "out of order (pass sorted = false)"}`);
      prev = c;
      this.indices[this.nnz + j] = c;
      this.data[this.nnz + j] = vals[o]!;
    }
    this.nnz += k;
    this.indptr.push(this.nnz);
  }

  build(): CsrMatrix {
    return {
      rows: this.indptr.length - 1,
      cols: this.cols,
      indptr: Int32Array.from(this.indptr),
      indices: this.indices.slice(0, this.nnz),
      data: this.data.slice(0, this.nnz),
    };
  }
}

/** y = X w (+ bias): y[r] = Σ_j X[r, j] w[j] + bias. */
export function csrMatVec(X: CsrMatrix, w: ArrayLike<number>, bias: number, y: Float64Array): void {
  const { indptr, indices, data } = X;
  for (let r = 0; r < X.rows; r++) {
    let s = bias;
    for (let p = indptr[r]!, e = indptr[r + 1]!; p < e; p++) s += data[p]! * w[indices[p]!]!;
    y[r] = s;
  }
}

/** g += Xᵀ v: g[j] += Σ_r X[r, j] v[r]. */
export function csrTransposeMatVecAdd(X: CsrMatrix, v: ArrayLike<number>, g: Float64Array): void {
  const { indptr, indices, data } = X;
  for (let r = 0; r < X.rows; r++) {
    const vr = v[r]!;
    if (vr === 0) continue;
    for (let p = indptr[r]!, e = indptr[r + 1]!; p < e; p++) g[indices[p]!]! += data[p]! * vr;
  }
}

/** The rows `rows` of X, in that order, as a new matrix. */
export function csrSelectRows(X: CsrMatrix, rows: ArrayLike<number>): CsrMatrix {
  let nnz = 0;
  for (let i = 0; i < rows.length; i++) nnz += X.indptr[rows[i]! + 1]! - X.indptr[rows[i]!]!;
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let o = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!(r >= 0 && r < X.rows)) throw new RangeError(`csrSelectRows: row ${r} out of range [0, ${X.rows})`);
    const a = X.indptr[r]!, b = X.indptr[r + 1]!;
    indices.set(X.indices.subarray(a, b), o);
    data.set(X.data.subarray(a, b), o);
    o += b - a;
    indptr[i + 1] = o;
  }
  return { rows: rows.length, cols: X.cols, indptr, indices, data };
}

/** X with each column j scaled by s[j] (a new matrix sharing the structure arrays). */
export function csrScaleColumns(X: CsrMatrix, s: ArrayLike<number>): CsrMatrix {
  const data = new Float32Array(X.data.length);
  for (let p = 0; p < data.length; p++) data[p] = X.data[p]! * s[X.indices[p]!]!;
  return { ...X, data };
}
