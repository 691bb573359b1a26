/**
 * Bag-of-n-gram features (unigrams + bigrams by default) as a CSR matrix: raw counts, binary
 * indicators, or TF-IDF. Fitted on training documents only.
 *
 * TF-IDF as scikit-learn's TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2"):
 *   tf = 1 + ln(count) (sublinear) or count,  idf = ln((1 + n) / (1 + df)) + 1,
 *   x = tf · idf, then each row scaled to unit L2 norm.
 *
 * Speed: tokens are mapped to unigram ids first and a bigram is the number a·U + b, so counting
 * never builds n-gram strings (n ≤ 2; larger n uses string keys).
 */
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

export class NgramVectorizer {
  readonly opts: Required<Omit<NgramVectorizerOptions, "maxDf" | "maxFeatures">> & Pick<NgramVectorizerOptions, "maxDf" | "maxFeatures">;
  /** n-gram feature → column. Bigram keys are "a\u0001b". */
  private features: Map<string, number> | null = null;
  /** unigram token → id in the (pruned) unigram space used for numeric bigram keys. */
  private unigramIds: Map<string, number> | null = null;
  private bigramCols: Map<number, number> | null = null;
  private U = 0;
  /** [cols] inverse document frequencies (tfidf). */
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
    return this.features?.size ?? 0;
  }

  /** Feature names in column order ("not good" for the bigram not+good). */
  featureNames(): string[] {
    const out = new Array<string>(this.size);
    for (const [k, c] of this.features ?? []) out[c] = k.split(SEP).join(" ");
    return out;
  }

  /** Learn the n-gram vocabulary and idf from tokenised training documents. */
  fit(docs: readonly (readonly string[])[]): this {
    const n = docs.length;
    const [lo, hi] = this.opts.ngramRange;
    const minDf = this.opts.minDf < 1 ? Math.ceil(this.opts.minDf * n) : this.opts.minDf;
    const maxDf = this.opts.maxDf === undefined ? Infinity : this.opts.maxDf <= 1 ? Math.floor(this.opts.maxDf * n) : this.opts.maxDf;

    // Unigram document frequencies and total counts.
    const uni = new Map<string, number>();
    let uDf: number[] = [];
    let uTot: number[] = [];
    let stamp: number[] = [];
    for (let d = 0; d < n; d++) {
      for (const t of docs[d]!) {
        let id = uni.get(t);
        if (id === undefined) {
          id = uni.size;
          uni.set(t, id);
          uDf.push(0);
          uTot.push(0);
          stamp.push(-1);
        }
        uTot[id]!++;
        if (stamp[id] !== d) {
          stamp[id] = d;
          uDf[id]!++;
        }
      }
    }
    // Unigrams that can take part in a kept n-gram (an n-gram's df ≤ each of its words' df).
    const uIds = new Map<string, number>();
    const uOld: number[] = [];
    for (const [t, id] of uni) {
      if (uDf[id]! >= minDf) {
        uIds.set(t, uIds.size);
        uOld.push(id);
      }
    }
    const U = uIds.size;
    const names = [...uIds.keys()];
    type Cand = { key: string; df: number; tot: number };
    const cands: Cand[] = [];
    if (lo <= 1) {
      for (let k = 0; k < U; k++) {
        const id = uOld[k]!;
        if (uDf[id]! <= maxDf) cands.push({ key: names[k]!, df: uDf[id]!, tot: uTot[id]! });
      }
    }
    uDf = uTot = stamp = [];

    // Bigrams with numeric keys; longer n-grams with string keys.
    const ids = docs.map((doc) => {
      const a = new Int32Array(doc.length);
      for (let i = 0; i < doc.length; i++) a[i] = uIds.get(doc[i]!) ?? -1;
      return a;
    });
    if (lo <= 2 && hi >= 2) {
      const bi = new Map<number, number>();
      let bDf: number[] = [];
      let bTot: number[] = [];
      let bStamp: number[] = [];
      const keys: number[] = [];
      for (let d = 0; d < n; d++) {
        const a = ids[d]!;
        for (let i = 0; i + 1 < a.length; i++) {
          const x = a[i]!, y = a[i + 1]!;
          if (x < 0 || y < 0) continue;
          const key = x * U + y;
          let id = bi.get(key);
          if (id === undefined) {
            id = bi.size;
            bi.set(key, id);
            bDf.push(0);
            bTot.push(0);
            bStamp.push(-1);
            keys.push(key);
          }
          bTot[id]!++;
          if (bStamp[id] !== d) {
            bStamp[id] = d;
            bDf[id]!++;
          }
        }
      }
      for (let id = 0; id < keys.length; id++) {
        const df = bDf[id]!;
        if (df >= minDf && df <= maxDf) {
          const key = keys[id]!;
          cands.push({ key: names[Math.floor(key / U)]! + SEP + names[key % U]!, df, tot: bTot[id]! });
        }
      }
      bDf = bTot = bStamp = [];
    }
    for (let m = Math.max(3, lo); m <= hi; m++) {
      const df = new Map<string, { df: number; tot: number; stamp: number }>();
      for (let d = 0; d < n; d++) {
        const doc = docs[d]!;
        const a = ids[d]!;
        for (let i = 0; i + m <= doc.length; i++) {
          let ok = true;
          for (let j = 0; j < m && ok; j++) if (a[i + j]! < 0) ok = false;
          if (!ok) continue;
          const key = doc.slice(i, i + m).join(SEP);
          let e = df.get(key);
          if (e === undefined) df.set(key, (e = { df: 0, tot: 0, stamp: -1 }));
          e.tot++;
          if (e.stamp !== d) {
            e.stamp = d;
            e.df++;
          }
        }
      }
      for (const [key, e] of df) if (e.df >= minDf && e.df <= maxDf) cands.push({ key, df: e.df, tot: e.tot });
    }
    if (this.opts.maxFeatures !== undefined && cands.length > this.opts.maxFeatures) {
      cands.sort((a, b) => b.tot - a.tot || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      cands.length = this.opts.maxFeatures;
    }
    this.features = new Map(cands.map((c, i) => [c.key, i] as const));
    this.idf = Float64Array.from(cands, (c) => Math.log((1 + n) / (1 + c.df)) + 1);
    // Fast paths for transform.
    this.unigramIds = uIds;
    this.U = U;
    this.bigramCols = new Map();
    for (const [key, col] of this.features) {
      const sep = key.indexOf(SEP);
      if (sep < 0 || key.indexOf(SEP, sep + 1) >= 0) continue;
      const x = uIds.get(key.slice(0, sep));
      const y = uIds.get(key.slice(sep + 1));
      if (x !== undefined && y !== undefined) this.bigramCols.set(x * U + y, col);
    }
    return this;
  }

  /** Features of tokenised documents → CSR [docs, size]. */
  transform(docs: readonly (readonly string[])[]): CsrMatrix {
    const features = this.features;
    if (features === null) throw new Error("NgramVectorizer.transform: call fit() first");
    const uIds = this.unigramIds!;
    const bigramCols = this.bigramCols!;
    const U = this.U;
    const [lo, hi] = this.opts.ngramRange;
    const { weighting, sublinearTf, normalize } = this.opts;
    const F = features.size;
    const builder = new CsrBuilder(F, 1 << 20);
    const acc = new Float64Array(F);
    const touched: number[] = [];
    const add = (col: number | undefined): void => {
      if (col === undefined) return;
      if (acc[col] === 0) touched.push(col);
      acc[col]!++;
    };
    for (const doc of docs) {
      touched.length = 0;
      const a = new Int32Array(doc.length);
      for (let i = 0; i < doc.length; i++) a[i] = uIds.get(doc[i]!) ?? -1;
      if (lo <= 1) for (const t of doc) add(features.get(t));
      if (lo <= 2 && hi >= 2) {
        for (let i = 0; i + 1 < a.length; i++) {
          const x = a[i]!, y = a[i + 1]!;
          if (x >= 0 && y >= 0) add(bigramCols.get(x * U + y));
        }
      }
      for (let m = Math.max(3, lo); m <= hi; m++) for (let i = 0; i + m <= doc.length; i++) add(features.get(doc.slice(i, i + m).join(SEP)));
      const vals = new Float64Array(touched.length);
      let norm = 0;
      for (let k = 0; k < touched.length; k++) {
        const c = touched[k]!;
        const cnt = acc[c]!;
        acc[c] = 0;
        let v = weighting === "binary" ? 1 : sublinearTf ? 1 + Math.log(cnt) : cnt;
        if (weighting === "tfidf") v *= this.idf[c]!;
        vals[k] = v;
        norm += v * v;
      }
      if (normalize && norm > 0) {
        const inv = 1 / Math.sqrt(norm);
        for (let k = 0; k < vals.length; k++) vals[k]! *= inv;
      }
      builder.addRow(touched, vals);
    }
    return builder.build();
  }

  fitTransform(docs: readonly (readonly string[])[]): CsrMatrix {
    return this.fit(docs).transform(docs);
  }
}
