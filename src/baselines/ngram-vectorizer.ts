/**
 * Bag-of-n-gram features (unigrams + bigrams by default) as a CSR matrix: raw counts, binary
 * indicators, or TF-IDF. Fitted on training documents only.
 *
 * TF-IDF as scikit-learn's TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2"):
 *   tf = 1 + ln(count) (sublinear) or count,  idf = ln((1 + n) / (1 + df)) + 1,
 *   x = tf · idf, then each row scaled to unit L2 norm.
 *
 * Speed: tokens are mapped to unigram ids once and bigrams are counted in an int-pair hash map,
 * so counting never builds n-gram strings (n ≤ 2; n ≥ 3 uses string keys).
 */
import { IntCounter, PairMap } from "./pair-map.js";
import { CsrBuilder, type CsrMatrix } from "./sparse.js";

export interface NgramVectorizerOptions {
  /** Smallest and largest n (default [1, 2]). */
  ngramRange?: [number, number];
  /** Drop n-grams in fewer documents: a count (≥ 1) or a share of documents (< 1). Default 1. */
  minDf?: number;
  /** Drop n-grams in more than this share (≤ 1) or count (> 1) of documents. Default: keep all. */
  maxDf?: number;
  /** Keep the most frequent n-grams only (by total count). Default: all. */
  maxFeatures?: number;
  /** Feature value: "tfidf" (default), "count", or "binary" (1 if present). */
  weighting?: "tfidf" | "count" | "binary";
  /** tf = 1 + ln(count) (default true; tfidf/count only). */
  sublinearTf?: boolean;
  /** Scale rows to unit L2 norm (default true for tfidf, false otherwise). */
  normalize?: boolean;
}

const SEP = "\u0001";

/** Per-id document frequency / total count, with the last document seen (to count df once per doc). */
class DfCounter {
  df = new IntCounter();
  tot = new IntCounter();
  stamp = new IntCounter();
  see(id: number, doc: number): void {
    if (id >= this.df.data.length) {
      this.df.ensure(id + 1);
      this.tot.ensure(id + 1);
      this.stamp.ensure(id + 1);
    }
    this.tot.data[id]!++;
    if (this.stamp.data[id] !== doc + 1) {
      this.stamp.data[id] = doc + 1;
      this.df.data[id]!++;
    }
  }
}

export class NgramVectorizer {
  readonly opts: Required<Omit<NgramVectorizerOptions, "maxDf" | "maxFeatures">> & Pick<NgramVectorizerOptions, "maxDf" | "maxFeatures">;
  private fitted = false;
  /** Every training token → unigram id. */
  private uni = new Map<string, number>();
  /** unigram id → column, or -1. */
  private uniCol = new Int32Array(0);
  /** Kept bigrams (unigram id pair) → index into bigramColOf. */
  private bigrams = new PairMap(16);
  private bigramColOf = new Int32Array(0);
  /** n ≥ 3 n-grams ("a\u0001b\u0001c") → column. */
  private longer = new Map<string, number>();
  private names: string[] = [];
  /** [cols] inverse document frequencies. */
  idf: Float64Array = new Float64Array(0);

  constructor(opts: NgramVectorizerOptions = {}) {
    const weighting = opts.weighting ?? "tfidf";
    this.opts = {
      ngramRange: opts.ngramRange ?? [1, 2],
      minDf: opts.minDf ?? 1,
      weighting,
      sublinearTf: opts.sublinearTf ?? true,
      normalize: opts.normalize ?? weighting === "tfidf",
      ...(opts.maxDf !== undefined ? { maxDf: opts.maxDf } : {}),
      ...(opts.maxFeatures !== undefined ? { maxFeatures: opts.maxFeatures } : {}),
    };
    const [lo, hi] = this.opts.ngramRange;
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi >= lo)) throw new RangeError(`NgramVectorizer: ngramRange must be integers 1 ≤ lo ≤ hi, got [${lo}, ${hi}]`);
  }

  /** Number of features (after fit). */
  get size(): number {
    return this.names.length;
  }

  /** Feature names in column order ("not good" for the bigram not+good). */
  featureNames(): string[] {
    return [...this.names];
  }

  /** Learn the n-gram vocabulary and idf from tokenised training documents. */
  fit(docs: readonly (readonly string[])[]): this {
    const n = docs.length;
    const [lo, hi] = this.opts.ngramRange;
    const minDf = this.opts.minDf < 1 ? Math.ceil(this.opts.minDf * n) : this.opts.minDf;
    const maxDf = this.opts.maxDf === undefined ? Infinity : this.opts.maxDf <= 1 ? Math.floor(this.opts.maxDf * n) : this.opts.maxDf;
    const keepDf = (df: number): boolean => df >= minDf && df <= maxDf;

    // Unigram ids and counts.
    const uni = new Map<string, number>();
    const uc = new DfCounter();
    const ids = docs.map((doc, d) => {
      const a = new Int32Array(doc.length);
      for (let i = 0; i < doc.length; i++) {
        const t = doc[i]!;
        let id = uni.get(t);
        if (id === undefined) {
          id = uni.size;
          uni.set(t, id);
        }
        a[i] = id;
        uc.see(id, d);
      }
      return a;
    });
    const U = uni.size;
    const uniNames = [...uni.keys()];
    const uDf = uc.df.data;
    // A word below minDf cannot be part of a kept n-gram (an n-gram's df ≤ each word's df).
    const usable = new Uint8Array(U);
    for (let id = 0; id < U; id++) usable[id] = uDf[id]! >= minDf ? 1 : 0;

    type Cand = { kind: 1 | 2 | 3; a: number; b: number; key: string; df: number; tot: number };
    const cands: Cand[] = [];
    if (lo <= 1) for (let id = 0; id < U; id++) if (keepDf(uDf[id]!)) cands.push({ kind: 1, a: id, b: -1, key: "", df: uDf[id]!, tot: uc.tot.data[id]! });

    if (lo <= 2 && hi >= 2) {
      const pairs = new PairMap(1 << 16);
      const bc = new DfCounter();
      for (let d = 0; d < n; d++) {
        const a = ids[d]!;
        for (let i = 0; i + 1 < a.length; i++) {
          const x = a[i]!, y = a[i + 1]!;
          if (usable[x] && usable[y]) bc.see(pairs.intern(x, y), d);
        }
      }
      for (let id = 0; id < pairs.size; id++) {
        const df = bc.df.data[id]!;
        if (keepDf(df)) cands.push({ kind: 2, a: pairs.firsts[id]!, b: pairs.seconds[id]!, key: "", df, tot: bc.tot.data[id]! });
      }
    }
    for (let m = Math.max(3, lo); m <= hi; m++) {
      const seen = new Map<string, { df: number; tot: number; stamp: number }>();
      for (let d = 0; d < n; d++) {
        const a = ids[d]!;
        outer: for (let i = 0; i + m <= a.length; i++) {
          for (let j = 0; j < m; j++) if (!usable[a[i + j]!]) continue outer;
          const key = docs[d]!.slice(i, i + m).join(SEP);
          let e = seen.get(key);
          if (e === undefined) seen.set(key, (e = { df: 0, tot: 0, stamp: -1 }));
          e.tot++;
          if (e.stamp !== d) {
            e.stamp = d;
            e.df++;
          }
        }
      }
      for (const [key, e] of seen) if (keepDf(e.df)) cands.push({ kind: 3, a: -1, b: -1, key, df: e.df, tot: e.tot });
    }
    const nameOf = (c: Cand): string => (c.kind === 1 ? uniNames[c.a]! : c.kind === 2 ? uniNames[c.a]! + " " + uniNames[c.b]! : c.key.split(SEP).join(" "));
    if (this.opts.maxFeatures !== undefined && cands.length > this.opts.maxFeatures) {
      cands.sort((x, y) => y.tot - x.tot || x.kind - y.kind || x.a - y.a || x.b - y.b || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
      cands.length = this.opts.maxFeatures;
    }
    // Columns and lookup tables for transform.
    this.uni = uni;
    this.uniCol = new Int32Array(U).fill(-1);
    this.bigrams = new PairMap(1 << 10);
    const bigramCols: number[] = [];
    this.longer = new Map();
    cands.forEach((c, col) => {
      if (c.kind === 1) this.uniCol[c.a] = col;
      else if (c.kind === 2) {
        this.bigrams.intern(c.a, c.b);
        bigramCols.push(col);
      } else this.longer.set(c.key, col);
    });
    this.bigramColOf = Int32Array.from(bigramCols);
    this.names = cands.map(nameOf);
    this.idf = Float64Array.from(cands, (c) => Math.log((1 + n) / (1 + c.df)) + 1);
    this.fitted = true;
    return this;
  }

  /** Features of tokenised documents → CSR [docs, size]. Tokens unseen in training are ignored. */
  transform(docs: readonly (readonly string[])[]): CsrMatrix {
    if (!this.fitted) throw new Error("NgramVectorizer.transform: call fit() first");
    const { uni, uniCol, bigrams, bigramColOf, longer } = this;
    const [lo, hi] = this.opts.ngramRange;
    const { weighting, sublinearTf, normalize } = this.opts;
    const F = this.size;
    const builder = new CsrBuilder(F, 1 << 20);
    const acc = new Float64Array(F);
    let touched = new Int32Array(4096);
    let vals = new Float64Array(4096);
    let nt = 0;
    const add = (col: number): void => {
      if (col < 0) return;
      if (acc[col] === 0) {
        if (nt === touched.length) {
          const t2 = new Int32Array(nt * 2);
          t2.set(touched);
          touched = t2;
          vals = new Float64Array(nt * 2);
        }
        touched[nt++] = col;
      }
      acc[col]!++;
    };
    let a = new Int32Array(1024);
    for (const doc of docs) {
      nt = 0;
      if (a.length < doc.length) a = new Int32Array(doc.length * 2);
      for (let i = 0; i < doc.length; i++) a[i] = uni.get(doc[i]!) ?? -1;
      if (lo <= 1) for (let i = 0; i < doc.length; i++) if (a[i]! >= 0) add(uniCol[a[i]!]!);
      if (lo <= 2 && hi >= 2) {
        for (let i = 0; i + 1 < doc.length; i++) {
          const x = a[i]!, y = a[i + 1]!;
          if (x >= 0 && y >= 0) {
            const k = bigrams.get(x, y);
            if (k >= 0) add(bigramColOf[k]!);
          }
        }
      }
      for (let m = Math.max(3, lo); m <= hi; m++) for (let i = 0; i + m <= doc.length; i++) add(longer.get(doc.slice(i, i + m).join(SEP)) ?? -1);
      const cols = touched.subarray(0, nt).sort(); // typed-array sort is numeric
      let norm = 0;
      for (let k = 0; k < nt; k++) {
        const c = cols[k]!;
        const cnt = acc[c]!;
        acc[c] = 0;
        let v = weighting === "binary" ? 1 : sublinearTf ? 1 + Math.log(cnt) : cnt;
        if (weighting === "tfidf") v *= this.idf[c]!;
        vals[k] = v;
        norm += v * v;
      }
      if (normalize && norm > 0) {
        const inv = 1 / Math.sqrt(norm);
        for (let k = 0; k < nt; k++) vals[k]! *= inv;
      }
      builder.addRow(cols, vals.subarray(0, nt), true);
    }
    return builder.build();
  }

  fitTransform(docs: readonly (readonly string[])[]): CsrMatrix {
    return this.fit(docs).transform(docs);
  }
}
