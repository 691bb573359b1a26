/**
 * A token ↔ id vocabulary built from training texts only. Ids 0 and 1 are reserved for the
 * specials `<pad>` (padding, what batches are right-padded with) and `<unk>` (every token not in
 * the vocabulary); further specials, if any, follow; then words by descending training frequency,
 * ties broken by code-unit order of the token so that the result does not depend on document order.
 */

export const PAD_TOKEN = "<pad>";
export const UNK_TOKEN = "<unk>";
export const PAD_ID = 0;
export const UNK_ID = 1;

export interface VocabularyOptions {
  /** Maximum size INCLUDING the specials (like torchtext's max_tokens); default unlimited. */
  maxVocab?: number;
  /** Keep only words seen at least this many times in training (default 1). */
  minFreq?: number;
  /** Extra special tokens after `<pad>` and `<unk>` (e.g. "<bos>"); they get count 0. */
  specials?: readonly string[];
}

/** The serialised form (`JSON.stringify(vocab)` / `Vocabulary.fromJSON`). */
export interface VocabularyJSON {
  format: "rnnkit-vocabulary";
  version: 1;
  tokens: string[];
  /** Training count of each token (0 for specials), line-aligned with `tokens`. */
  counts: number[];
  /** Training tokens seen when building, including those that fell below minFreq / maxVocab. */
  totalTokens: number;
  /** Leading specials (≥ 2). */
  numSpecials: number;
}

export class Vocabulary {
  /** id → token. */
  readonly tokens: readonly string[];
  /** id → training count (0 for specials). */
  readonly counts: Float64Array;
  /** Number of training tokens seen when building (covered or not). */
  readonly totalTokens: number;
  /** Ids 0 … numSpecials−1 are specials (`<pad>`, `<unk>`, then any extra ones); words follow. */
  readonly numSpecials: number;
  private readonly index: Map<string, number>;

  /**
   * @param tokens id → token; must start with "<pad>", "<unk>".
   * @param info.counts training count per token (default zeros); info.totalTokens (default their
   *   sum); info.numSpecials = how many leading tokens are specials (default 2).
   */
  constructor(tokens: readonly string[], info: { counts?: ArrayLike<number>; totalTokens?: number; numSpecials?: number } = {}) {
    if (tokens[PAD_ID] !== PAD_TOKEN || tokens[UNK_ID] !== UNK_TOKEN) {
      throw new Error(`Vocabulary: ids 0 and 1 must be "${PAD_TOKEN}" and "${UNK_TOKEN}", got ${JSON.stringify(tokens.slice(0, 2))}`);
    }
    const { counts } = info;
    if (counts !== undefined && counts.length !== tokens.length) {
      throw new RangeError(`Vocabulary: ${counts.length} counts for ${tokens.length} tokens (expected one count per token)`);
    }
    const ns = info.numSpecials ?? 2;
    if (!Number.isInteger(ns) || ns < 2 || ns > tokens.length) throw new RangeError(`Vocabulary: numSpecials must be an integer in [2, ${tokens.length}], got ${ns}`);
    this.numSpecials = ns;
    this.tokens = Object.freeze([...tokens]);
    this.counts = counts === undefined ? new Float64Array(tokens.length) : Float64Array.from(counts);
    this.index = new Map();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (this.index.has(t)) throw new Error(`Vocabulary: token ${JSON.stringify(t)} appears twice (ids ${this.index.get(t)} and ${i})`);
      this.index.set(t, i);
    }
    this.totalTokens = info.totalTokens ?? this.counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Count tokens over the training documents and keep the most frequent.
   *   const vocab = Vocabulary.build(trainTokens, { maxVocab: 25_000, minFreq: 2 });
   */
  static build(docs: Iterable<readonly string[]>, opts: VocabularyOptions = {}): Vocabulary {
    return Vocabulary.fromCounts(countTokens(docs), opts);
  }

  /** Build from precomputed counts (token → count). */
  static fromCounts(counts: ReadonlyMap<string, number>, opts: VocabularyOptions = {}, totalTokens?: number): Vocabulary {
    const minFreq = opts.minFreq ?? 1;
    const specials = [PAD_TOKEN, UNK_TOKEN, ...(opts.specials ?? [])];
    const maxVocab = opts.maxVocab ?? Infinity;
    if (maxVocab < specials.length) throw new RangeError(`Vocabulary.build: maxVocab ${maxVocab} is smaller than the ${specials.length} specials`);
    const special = new Set(specials);
    const words: [string, number][] = [];
    let total = 0;
    for (const [t, c] of counts) {
      total += c;
      if (c >= minFreq && !special.has(t)) words.push([t, c]);
    }
    words.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const keep = Math.min(words.length, maxVocab - specials.length);
    const tokens = [...specials, ...words.slice(0, keep).map((w) => w[0])];
    const cnt = [...specials.map(() => 0), ...words.slice(0, keep).map((w) => w[1])];
    return new Vocabulary(tokens, { counts: cnt, totalTokens: totalTokens ?? total, numSpecials: specials.length });
  }

  get size(): number {
    return this.tokens.length;
  }
  /** Id of a token, `<unk>` (1) when absent. */
  id(token: string): number {
    return this.index.get(token) ?? UNK_ID;
  }
  has(token: string): boolean {
    return this.index.has(token);
  }
  /** Token of an id; throws when out of range. */
  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined) throw new RangeError(`Vocabulary.token: id ${id} out of range [0, ${this.size})`);
    return t;
  }
  /** Tokens → ids (unknown tokens → 1). */
  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.index.get(tokens[i]!) ?? UNK_ID;
    return out;
  }
  /** Ids → tokens; `<pad>` ids are dropped unless keepPad. */
  decode(ids: ArrayLike<number>, keepPad = false): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === PAD_ID && !keepPad) continue;
      out.push(this.token(id));
    }
    return out;
  }

  toJSON(): VocabularyJSON {
    return { format: "rnnkit-vocabulary", version: 1, tokens: [...this.tokens], counts: Array.from(this.counts), totalTokens: this.totalTokens, numSpecials: this.numSpecials };
  }
  static fromJSON(json: unknown): Vocabulary {
    const j = json as Partial<VocabularyJSON> | null;
    if (j === null || typeof j !== "object" || j.format !== "rnnkit-vocabulary" || !Array.isArray(j.tokens)) {
      throw new Error(`Vocabulary.fromJSON: expected an object with format "rnnkit-vocabulary" and a tokens array (hint: pass JSON.parse of what toJSON wrote)`);
    }
    if (j.version !== 1) throw new Error(`Vocabulary.fromJSON: unsupported version ${String(j.version)}, expected 1`);
    return new Vocabulary(j.tokens, {
      ...(j.counts !== undefined ? { counts: j.counts } : {}),
      ...(j.totalTokens !== undefined ? { totalTokens: j.totalTokens } : {}),
      ...(j.numSpecials !== undefined ? { numSpecials: j.numSpecials } : {}),
    });
  }
}

/** Token → count over some documents (one hash lookup per token). */
export function countTokens(docs: Iterable<readonly string[]>): Map<string, number> {
  const index = new Map<string, number>();
  let cnt = new Float64Array(1024);
  for (const doc of docs) {
    for (let i = 0; i < doc.length; i++) {
      const t = doc[i]!;
      const k = index.get(t);
      if (k !== undefined) cnt[k] = cnt[k]! + 1;
      else {
        const id = index.size;
        if (id === cnt.length) {
          const grown = new Float64Array(id * 2);
          grown.set(cnt);
          cnt = grown;
        }
        index.set(t, id);
        cnt[id] = 1;
      }
    }
  }
  const out = new Map<string, number>();
  for (const [t, k] of index) out.set(t, cnt[k]!);
  return out;
}
