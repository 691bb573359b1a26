/**
 * A table of word vectors: words[i] ↔ row i of `vectors` (Float32Array [N, D], row-major), plus
 * cosine similarity and nearest neighbours. Returned by the embedding readers and by word2vec.
 */

export interface Neighbor {
  word: string;
  /** Cosine similarity to the query, in [-1, 1]. */
  similarity: number;
}

export class WordVectors {
  readonly words: readonly string[];
  readonly dim: number;
  /** [N, D] row-major. */
  readonly vectors: Float32Array;
  private readonly index: Map<string, number>;
  private unit: Float32Array | null = null;

  /**
   * @param words  N distinct words.
   * @param vectors [N, D] row-major (not copied).
   */
  constructor(words: readonly string[], vectors: Float32Array, dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`WordVectors: dim must be a positive integer, got ${dim}`);
    if (vectors.length !== words.length * dim) throw new RangeError(`WordVectors: ${vectors.length} values for ${words.length} words × ${dim} dims (expected ${words.length * dim})`);
    this.words = words;
    this.dim = dim;
    this.vectors = vectors;
    this.index = new Map();
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (this.index.has(w)) throw new Error(`WordVectors: word ${JSON.stringify(w)} appears twice (rows ${this.index.get(w)} and ${i})`);
      this.index.set(w, i);
    }
  }

  get size(): number {
    return this.words.length;
  }
  has(word: string): boolean {
    return this.index.has(word);
  }
  /** Row index of a word, or -1. */
  indexOf(word: string): number {
    return this.index.get(word) ?? -1;
  }
  /** The word's vector (a view into `vectors`), or null when absent. */
  get(word: string): Float32Array | null {
    const i = this.index.get(word);
    return i === undefined ? null : this.vectors.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /** Rows scaled to unit L2 norm (computed once; zero rows stay zero). */
  normalized(): Float32Array {
    if (this.unit !== null) return this.unit;
    const D = this.dim;
    const u = new Float32Array(this.vectors.length);
    for (let r = 0; r < this.size; r++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += this.vectors[r * D + d]! ** 2;
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let d = 0; d < D; d++) u[r * D + d] = this.vectors[r * D + d]! * inv;
    }
    this.unit = u;
    return u;
  }

  private need(word: string, what: string): number {
    const i = this.index.get(word);
    if (i === undefined) throw new RangeError(`${what}: ${JSON.stringify(word)} is not in the vocabulary (${this.size} words)`);
    return i;
  }

  /** cos(a, b) = a·b / (|a| |b|); throws when a word is missing. */
  similarity(a: string, b: string): number {
    const u = this.normalized();
    const i = this.need(a, "similarity") * this.dim;
    const j = this.need(b, "similarity") * this.dim;
    let s = 0;
    for (let d = 0; d < this.dim; d++) s += u[i + d]! * u[j + d]!;
    return s;
  }

  /** The k words with the highest cosine similarity to `word` (the word itself excluded). */
  nearestNeighbors(word: string, k = 10): Neighbor[] {
    const q = this.need(word, "nearestNeighbors");
    const u = this.normalized();
    return this.topK(u.subarray(q * this.dim, (q + 1) * this.dim), k, q);
  }

  /** The k words whose vectors have the highest cosine similarity to an arbitrary vector. */
  nearestToVector(v: ArrayLike<number>, k = 10, exclude = -1): Neighbor[] {
    if (v.length !== this.dim) throw new RangeError(`nearestToVector: vector has ${v.length} dims, expected ${this.dim}`);
    let s = 0;
    for (let d = 0; d < this.dim; d++) s += v[d]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    const q = new Float32Array(this.dim);
    for (let d = 0; d < this.dim; d++) q[d] = v[d]! * inv;
    return this.topK(q, k, exclude);
  }

  private topK(q: Float32Array, k: number, exclude: number): Neighbor[] {
    const u = this.normalized();
    const D = this.dim;
    const best: { i: number; s: number }[] = [];
    for (let r = 0; r < this.size; r++) {
      if (r === exclude) continue;
      let s = 0;
      const o = r * D;
      for (let d = 0; d < D; d++) s += u[o + d]! * q[d]!;
      if (best.length < k) {
        best.push({ i: r, s });
        if (best.length === k) best.sort((a, b) => b.s - a.s);
      } else if (s > best[k - 1]!.s) {
        let p = k - 1;
        while (p > 0 && best[p - 1]!.s < s) {
          best[p] = best[p - 1]!;
          p--;
        }
        best[p] = { i: r, s };
      }
    }
    if (best.length < k) best.sort((a, b) => b.s - a.s);
    return best.map((b) => ({ word: this.words[b.i]!, similarity: b.s }));
  }
}
