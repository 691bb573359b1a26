/**
 * The token ↔ id vocabulary of every rnnkit model, built from training data only and saved with
 * the model. Two ways to build one, each reproducing its reference's ids exactly:
 *
 * - `Vocabulary.build(docs)` (classifiers, torchtext style): ids 0 and 1 are the specials `<pad>`
 *   (what batches are right-padded with) and `<unk>` (every token not in the vocabulary); further
 *   specials, if any, follow; then words by descending training frequency, ties broken by
 *   code-unit order of the token, so the result does not depend on document order.
 * - `Vocabulary.fromStream(train, tokenizer)` (language models, PyTorch word_language_model
 *   style): no `<pad>`; reserved tokens that never occur in training come first, in the order
 *   [unk, eos] (so `<unk>` is id 0 when it had to be added); then training tokens by descending
 *   count, ties by first occurrence in the stream. Reserved tokens that do occur (PTB's own
 *   `<unk>`, every `<eos>`) keep their frequency rank, so PTB comes out at exactly 10,000 ids. It
 *   carries the tokenizer spec, so a prompt is cut exactly like the training text. A char-level
 *   vocabulary has no unk by default (Tiny Shakespeare is exactly 65 characters).
 *
 * `minFreq` / `maxVocab` drop the rarest tokens (`maxVocab` counts every id, specials included).
 * Unknown tokens encode as the unk id, or are dropped when there is no unk; `encodeWithStats`
 * counts them, so a caller can report "23% of the prompt is unknown".
 */
import { type TokenizerSpec, detokenize, tokenizeLm } from "./tokenize.js";

export const PAD_TOKEN = "<pad>";
export const UNK_TOKEN = "<unk>";
/** Ids of `<pad>` and `<unk>` in a vocabulary made by `build` (a classifier's). */
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

export interface StreamVocabularyOptions {
  /** Largest number of ids, reserved tokens included (default unlimited). */
  maxVocab?: number;
  /** Keep tokens seen at least this often in training (default 1). */
  minFreq?: number;
  /** The unknown token, or null for none. Default "<unk>" at word level, null at char level. */
  unk?: string | null;
}

/** Serialised form of a `build` vocabulary (classifier checkpoints). */
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

/** Serialised form of a `fromStream` vocabulary (language-model checkpoints). */
export interface StreamVocabularyJSON {
  format: "rnnkit.lm-vocab";
  version: 1;
  tokenizer: TokenizerSpec;
  unk: string | null;
  tokens: string[];
}

/** Result of encoding with unknown-token accounting. */
export interface EncodeStats {
  ids: Int32Array;
  /** Input tokens. */
  total: number;
  /** Input tokens not in the vocabulary (mapped to unk, or dropped when there is no unk). */
  unknown: number;
  /** unknown / total (0 for an empty input). */
  unknownRate: number;
}

/** A vocabulary that carries its tokenizer spec (every language model's). */
export type LmVocabulary = Vocabulary & { readonly tokenizer: TokenizerSpec };

export interface VocabularyInfo {
  /** Training count per token (default zeros). */
  counts?: ArrayLike<number>;
  /** Training tokens seen when building (default: the sum of counts). */
  totalTokens?: number;
  /** How many leading tokens are specials (default 2 with a pad token, else 0). */
  numSpecials?: number;
  /** The padding token, at id 0 with unk at id 1 (default "<pad>"); null for none (a language model's). */
  pad?: string | null;
  /** The unknown token (default "<unk>"); null for none. */
  unk?: string | null;
  /** How text is cut into tokens (a language model's vocabulary carries it); null when kept elsewhere. */
  tokenizer?: TokenizerSpec | null;
}

export class Vocabulary {
  /** id → token. */
  readonly tokens: readonly string[];
  /** id → training count (0 for specials; zeros when unknown, e.g. a language model's). */
  readonly counts: Float64Array;
  /** Number of training tokens seen when building (covered or not). */
  readonly totalTokens: number;
  /** Ids 0 … numSpecials−1 are specials (`<pad>`, `<unk>`, then any extra ones); words follow. */
  readonly numSpecials: number;
  /** The unknown token, or null when this vocabulary has none. */
  readonly unk: string | null;
  /** Id of `unk`, -1 when there is none. */
  readonly unkId: number;
  /** Id of the padding token, -1 when there is none. */
  readonly padId: number;
  /** The tokenizer spec of a language model's vocabulary (null for a classifier's: its pipeline keeps it). */
  readonly tokenizer: TokenizerSpec | null;
  /** Id of the tokenizer's eos token, -1 when absent (char level, or no tokenizer). */
  readonly eosId: number;
  private readonly index: Map<string, number>;

  /** `tokens`: id → token. With a pad token (the default) ids 0 and 1 must be "<pad>" and "<unk>". */
  constructor(tokens: readonly string[], info: VocabularyInfo = {}) {
    const pad = info.pad === undefined ? PAD_TOKEN : info.pad;
    const unk = info.unk === undefined ? UNK_TOKEN : info.unk;
    if (tokens.length === 0) throw new RangeError("Vocabulary: no tokens (hint: is the training data empty?)");
    if (pad !== null && (tokens[PAD_ID] !== pad || tokens[UNK_ID] !== unk))
      throw new Error(`Vocabulary: ids 0 and 1 must be ${JSON.stringify(pad)} and ${JSON.stringify(unk)}, got ${JSON.stringify(tokens.slice(0, 2))}`);
    const { counts } = info;
    if (counts !== undefined && counts.length !== tokens.length) throw new RangeError(`Vocabulary: ${counts.length} counts for ${tokens.length} tokens (expected one count per token)`);
    const ns = info.numSpecials ?? (pad !== null ? 2 : 0);
    if (!Number.isInteger(ns) || ns < (pad !== null ? 2 : 0) || ns > tokens.length) throw new RangeError(`Vocabulary: numSpecials must be an integer in [${pad !== null ? 2 : 0}, ${tokens.length}], got ${ns}`);
    const index = new Map<string, number>();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (typeof t !== "string") throw new TypeError(`Vocabulary: token ${i} is ${typeof t}, expected a string`);
      if (index.has(t)) throw new Error(`Vocabulary: token ${JSON.stringify(t)} appears twice (ids ${index.get(t)} and ${i})`);
      index.set(t, i);
    }
    if (unk !== null && !index.has(unk)) throw new RangeError(`Vocabulary: the unk token ${JSON.stringify(unk)} is not among the tokens`);
    const tokenizer = info.tokenizer ?? null;
    this.tokens = Object.freeze([...tokens]);
    this.counts = counts === undefined ? new Float64Array(tokens.length) : Float64Array.from(counts);
    this.totalTokens = info.totalTokens ?? this.counts.reduce((a, b) => a + b, 0);
    this.numSpecials = ns;
    this.index = index;
    this.unk = unk;
    this.unkId = unk === null ? -1 : index.get(unk)!;
    this.padId = pad === null ? -1 : PAD_ID;
    this.tokenizer = tokenizer ? Object.freeze({ ...tokenizer }) : null;
    this.eosId = tokenizer?.level === "word" ? (index.get(tokenizer.eos) ?? -1) : -1;
  }

  /**
   * A classifier's vocabulary: count tokens over the training documents and keep the most
   * frequent (order rules in the file comment).
   *   const vocab = Vocabulary.build(trainTokens, { maxVocab: 25_000, minFreq: 2 });
   */
  static build(docs: Iterable<readonly string[]>, opts: VocabularyOptions = {}): Vocabulary {
    return Vocabulary.fromCounts(countTokens(docs), opts);
  }

  /** Build from precomputed counts (token → count), as `build`. */
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

  /**
   * A language model's vocabulary from its training token stream (order rules in the file comment).
   *   const vocab = Vocabulary.fromStream(corpus.train, corpus.tokenizer, { maxVocab: 10_000 });
   */
  static fromStream(train: readonly string[], tokenizer: TokenizerSpec, opts: StreamVocabularyOptions = {}): LmVocabulary {
    const minFreq = opts.minFreq ?? 1;
    const maxVocab = opts.maxVocab ?? Infinity;
    if (!(minFreq >= 1)) throw new RangeError(`Vocabulary.fromStream: minFreq must be >= 1, got ${minFreq}`);
    if (!(maxVocab >= 1)) throw new RangeError(`Vocabulary.fromStream: maxVocab must be >= 1, got ${maxVocab}`);
    const unk = opts.unk === undefined ? (tokenizer.level === "word" ? UNK_TOKEN : null) : opts.unk;
    if (train.length === 0) throw new RangeError("Vocabulary.fromStream: the training stream is empty (hint: check the corpus path and split fractions)");
    // Map iteration order = first occurrence, which the stable sort keeps for equal counts.
    const counts = new Map<string, number>();
    for (let i = 0; i < train.length; i++) {
      const t = train[i]!;
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const reserved: string[] = [];
    if (unk !== null) reserved.push(unk);
    if (tokenizer.level === "word" && tokenizer.eos !== unk) reserved.push(tokenizer.eos);
    if (maxVocab < reserved.length) throw new RangeError(`Vocabulary.fromStream: maxVocab ${maxVocab} is smaller than the ${reserved.length} reserved tokens (${reserved.join(", ")})`);
    const reservedSet = new Set(reserved);
    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    let budget = maxVocab - reserved.length; // slots for non-reserved tokens
    const kept: Array<[string, number]> = reserved.filter((r) => !counts.has(r)).map((r) => [r, 0]);
    for (const [t, c] of ranked) {
      if (reservedSet.has(t)) kept.push([t, c]);
      else if (c >= minFreq && budget > 0) {
        kept.push([t, c]);
        budget--;
      }
    }
    return new Vocabulary(
      kept.map((k) => k[0]),
      { counts: kept.map((k) => k[1]), totalTokens: train.length, pad: null, unk, tokenizer },
    ) as LmVocabulary;
  }

  get size(): number {
    return this.tokens.length;
  }
  /** Id of a token, or undefined when it is not in the vocabulary. */
  get(token: string): number | undefined {
    return this.index.get(token);
  }
  /** Id of a token; the unk id when absent (-1 when there is no unk). */
  id(token: string): number {
    return this.index.get(token) ?? this.unkId;
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

  /** Tokens → ids (unknown → the unk id, or dropped when there is no unk; see `encodeWithStats`). */
  encode(tokens: readonly string[]): Int32Array {
    return this.encodeWithStats(tokens).ids;
  }

  /** Tokens → ids plus how many were unknown. */
  encodeWithStats(tokens: readonly string[]): EncodeStats {
    const n = tokens.length;
    const ids = new Int32Array(n);
    const index = this.index;
    const unkId = this.unkId;
    let k = 0;
    let unknown = 0;
    for (let i = 0; i < n; i++) {
      const id = index.get(tokens[i]!);
      if (id !== undefined) ids[k++] = id;
      else {
        unknown++;
        if (unkId >= 0) ids[k++] = unkId;
      }
    }
    return { ids: k === n ? ids : ids.slice(0, k), total: n, unknown, unknownRate: n === 0 ? 0 : unknown / n };
  }

  /** Cut a text into tokens the way the training text was cut (a vocabulary with a tokenizer spec). */
  tokenize(text: string): string[] {
    return tokenizeLm(text, this.#spec("tokenize"));
  }

  /** Tokenise a text with this vocabulary's tokenizer, then encode (for prompts). */
  encodeText(text: string): EncodeStats {
    return this.encodeWithStats(this.tokenize(text));
  }

  /** Ids → tokens; padding ids are dropped unless keepPad; throws on an id outside [0, size). */
  decode(ids: ArrayLike<number>, keepPad = false): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === this.padId && !keepPad) continue;
      out.push(this.token(id));
    }
    return out;
  }

  /** Ids → display text (char: concatenation; word: spaces, eos → newline). */
  decodeText(ids: ArrayLike<number>): string {
    return detokenize(this.decode(ids), this.#spec("decodeText"));
  }

  #spec(where: string): TokenizerSpec {
    if (!this.tokenizer) throw new TypeError(`Vocabulary.${where}: this vocabulary has no tokenizer spec (a classifier's pipeline keeps it; use tokenize(text, pipeline.tokenize))`);
    return this.tokenizer;
  }

  /** The serialised form: a language model's (with its tokenizer) or a classifier's, as checkpoints store them. */
  toJSON(): VocabularyJSON | StreamVocabularyJSON {
    if (this.tokenizer && this.padId < 0) return { format: "rnnkit.lm-vocab", version: 1, tokenizer: { ...this.tokenizer }, unk: this.unk, tokens: [...this.tokens] };
    return { format: "rnnkit-vocabulary", version: 1, tokens: [...this.tokens], counts: Array.from(this.counts), totalTokens: this.totalTokens, numSpecials: this.numSpecials };
  }

  /** True for a vocabulary with a tokenizer spec (a language model's). */
  hasTokenizer(): this is LmVocabulary {
    return this.tokenizer !== null;
  }

  /** Read either serialised form (every checkpoint rnnkit has written). */
  static fromJSON(json: unknown): Vocabulary {
    const j = json as (Partial<VocabularyJSON> & Partial<Omit<StreamVocabularyJSON, "format">>) | null;
    if (j === null || typeof j !== "object" || (j.format !== "rnnkit-vocabulary" && (j.format as unknown) !== "rnnkit.lm-vocab"))
      throw new TypeError(`Vocabulary.fromJSON: expected an object with format "rnnkit-vocabulary" or "rnnkit.lm-vocab" (hint: pass JSON.parse of what toJSON wrote)`);
    if (j.version !== 1) throw new RangeError(`Vocabulary.fromJSON: unsupported version ${String(j.version)}, expected 1`);
    if (!Array.isArray(j.tokens)) throw new TypeError("Vocabulary.fromJSON: tokens must be an array of strings");
    if (j.format === "rnnkit-vocabulary")
      return new Vocabulary(j.tokens, {
        ...(j.counts !== undefined ? { counts: j.counts } : {}),
        ...(j.totalTokens !== undefined ? { totalTokens: j.totalTokens } : {}),
        ...(j.numSpecials !== undefined ? { numSpecials: j.numSpecials } : {}),
      });
    const tk = j.tokenizer;
    if (
      tk === undefined ||
      tk === null ||
      typeof tk !== "object" ||
      (tk.level !== "char" && tk.level !== "word") ||
      (tk.wordStyle !== "ptb" && tk.wordStyle !== "prose") ||
      typeof tk.lower !== "boolean" ||
      typeof tk.eos !== "string"
    )
      throw new TypeError(`Vocabulary.fromJSON: tokenizer must be { level, wordStyle, lower, eos }, got ${JSON.stringify(tk)}`);
    const unk = j.unk ?? null;
    if (unk !== null && typeof unk !== "string") throw new TypeError(`Vocabulary.fromJSON: unk must be a string or null, got ${typeof unk}`);
    return new Vocabulary(j.tokens, { pad: null, unk, tokenizer: { level: tk.level, wordStyle: tk.wordStyle, lower: tk.lower, eos: tk.eos } });
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
