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
}

export class Vocabulary {
  /** id → token. */
  readonly tokens: readonly string[];
  /** id → training count (0 for specials). */
  readonly counts: Float64Array;
  /** Number of training tokens seen when building (covered or not). */
  readonly totalTokens: number;
  private readonly index: Map<string, number>;

  constructor(tokens: readonly string[], counts?: ArrayLike<number>, totalTokens?: number) {
    if (tokens[PAD_ID] !== PAD_TOKEN || tokens[UNK_ID] !== UNK_TOKEN) {
      throw new Error(`Vocabulary: ids 0 and 1 must be "${PAD_TOKEN}" and "${UNK_TOKEN}", got ${JSON.stringify(tokens.slice(0, 2))}`);
    }
    if (counts !== undefined && counts.length !== tokens.length) {
      throw new RangeError(`Vocabulary: ${counts.length} counts for ${tokens.length} tokens (expected one count per token)`);
    }
    this.tokens = Object.freeze([...tokens]);
    this.counts = counts === undefined ? new Float64Array(tokens.length) : Float64Array.from(counts);
    this.index = new Map();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (this.index.has(t)) throw new Error(`Vocabulary: token ${JSON.stringify(t)} appears twice (ids ${this.index.get(t)} and ${i})`);
      this.index.set(t, i);
    }
    this.totalTokens = totalTokens ?? this.counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Count tokens over the training documents and keep the most frequent.
   *   const vocab = Vocabulary.build(trainTokens, { maxVocab: 25_000, minFreq: 2 });
   */
  static build(docs: Iterable<readonly string[]>, opts: VocabularyOptions = {}): Vocabulary {
    const counts = new Map<string, number>();
    let total = 0;
    for (const doc of docs) {
      total += doc.length;
      for (const t of doc) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    return Vocabulary.fromCounts(counts, opts, total);
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
    return new Vocabulary(tokens, cnt, totalTokens ?? total);
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
    return { format: "rnnkit-vocabulary", version: 1, tokens: [...this.tokens], counts: Array.from(this.counts), totalTokens: this.totalTokens };
  }
  static fromJSON(json: unknown): Vocabulary {
    const j = json as Partial<VocabularyJSON> | null;
    if (j === null || typeof j !== "object" || j.format !== "rnnkit-vocabulary" || !Array.isArray(j.tokens)) {
      throw new Error(`Vocabulary.fromJSON: expected an object with format "rnnkit-vocabulary" and a tokens array (hint: pass JSON.parse of what toJSON wrote)`);
    }
    if (j.version !== 1) throw new Error(`Vocabulary.fromJSON: unsupported version ${String(j.version)}, expected 1`);
    return new Vocabulary(j.tokens, j.counts, j.totalTokens);
  }
}
