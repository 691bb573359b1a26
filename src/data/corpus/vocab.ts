/**
 * The token ↔ id table of a language model (`LmVocab`), built from the TRAINING stream only and
 * saved with the model checkpoint (`toJSON` / `LmVocab.fromJSON`). It also carries the tokeniser
 * spec, so a prompt at generation time is cut exactly like the training text.
 *
 * Not the classifier `Vocabulary` of `data/text`: an LM needs no `<pad>`, and PTB must come out at
 * exactly 10,000 ids (9,999 words incl. its own `<unk>`, + `<eos>`).
 *
 * Id order (deterministic):
 *   1. reserved tokens that never occur in training, in the order [unk, eos] (so `<unk>` is id 0
 *      when it had to be added);
 *   2. training tokens by descending count, ties by first occurrence in the training stream.
 * Reserved tokens that do occur in training (PTB's own `<unk>`, every `<eos>`) keep their
 * frequency rank. `minFreq` / `maxVocab` drop the rarest non-reserved tokens; `maxVocab` counts
 * every id, reserved ones included. Dropped tokens encode as `unk`.
 *
 * Unknown tokens (not in the table) encode as the unk id when the vocabulary has one; char-level
 * vocabularies have none by default, and there unknown characters are dropped. Both cases are
 * counted by `encodeWithStats`, so a caller can report "23% of the prompt is unknown".
 */
import { type TokenizerSpec, detokenize, tokenizeLm } from "./tokenize.js";

export const LM_UNK_TOKEN = "<unk>";

export interface LmVocabOptions {
  /** Largest number of ids, reserved tokens included (default unlimited). */
  maxVocab?: number;
  /** Keep tokens seen at least this often in training (default 1). */
  minFreq?: number;
  /**
   * The unknown token, or null for none. Default "<unk>" at word level, null at char level (a
   * char vocabulary is usually closed: Tiny Shakespeare is exactly 65 characters).
   */
  unk?: string | null;
}

/** Serialised form, stored in model checkpoints. */
export interface LmVocabJSON {
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

export class LmVocab {
  /** id → token. */
  readonly tokens: readonly string[];
  readonly tokenizer: TokenizerSpec;
  /** The unknown token, or null when this vocabulary has none. */
  readonly unk: string | null;
  /** Id of `unk`, -1 when there is none. */
  readonly unkId: number;
  /** Id of the tokenizer's eos token, -1 when absent (char level). */
  readonly eosId: number;
  private readonly index: Map<string, number>;

  constructor(tokens: readonly string[], tokenizer: TokenizerSpec, unk: string | null) {
    if (tokens.length === 0) throw new RangeError("LmVocab: no tokens (hint: is the training split empty?)");
    const index = new Map<string, number>();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (typeof t !== "string") throw new TypeError(`LmVocab: token ${i} is ${typeof t}, expected a string`);
      if (index.has(t)) throw new RangeError(`LmVocab: token ${JSON.stringify(t)} appears twice (ids ${index.get(t)} and ${i})`);
      index.set(t, i);
    }
    if (unk !== null && !index.has(unk)) throw new RangeError(`LmVocab: the unk token ${JSON.stringify(unk)} is not among the tokens`);
    this.tokens = Object.freeze([...tokens]);
    this.tokenizer = Object.freeze({ ...tokenizer });
    this.unk = unk;
    this.index = index;
    this.unkId = unk === null ? -1 : index.get(unk)!;
    this.eosId = tokenizer.level === "word" ? (index.get(tokenizer.eos) ?? -1) : -1;
  }

  /**
   * Count the training tokens and keep the most frequent (order rules in the file comment).
   *   const vocab = LmVocab.build(corpus.train, corpus.tokenizer, { maxVocab: 10_000 });
   */
  static build(train: readonly string[], tokenizer: TokenizerSpec, opts: LmVocabOptions = {}): LmVocab {
    const minFreq = opts.minFreq ?? 1;
    const maxVocab = opts.maxVocab ?? Infinity;
    if (!(minFreq >= 1)) throw new RangeError(`LmVocab.build: minFreq must be >= 1, got ${minFreq}`);
    if (!(maxVocab >= 1)) throw new RangeError(`LmVocab.build: maxVocab must be >= 1, got ${maxVocab}`);
    const unk = opts.unk === undefined ? (tokenizer.level === "word" ? LM_UNK_TOKEN : null) : opts.unk;
    if (train.length === 0) throw new RangeError("LmVocab.build: the training stream is empty (hint: check the corpus path and split fractions)");

    // Map iteration order = first occurrence, which the stable sort keeps for equal counts.
    const counts = new Map<string, number>();
    for (let i = 0; i < train.length; i++) {
      const t = train[i]!;
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const reserved: string[] = [];
    if (unk !== null) reserved.push(unk);
    if (tokenizer.level === "word" && tokenizer.eos !== unk) reserved.push(tokenizer.eos);
    if (maxVocab < reserved.length) throw new RangeError(`LmVocab.build: maxVocab ${maxVocab} is smaller than the ${reserved.length} reserved tokens (${reserved.join(", ")})`);
    const reservedSet = new Set(reserved);

    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    const absent = reserved.filter((r) => !counts.has(r));
    let budget = maxVocab - reserved.length; // slots for non-reserved tokens
    const tokens: string[] = [...absent];
    for (const [t, c] of ranked) {
      if (reservedSet.has(t)) tokens.push(t);
      else if (c >= minFreq && budget > 0) {
        tokens.push(t);
        budget--;
      }
    }
    // A word vocabulary that dropped tokens needs an unk (already reserved); a char vocabulary
    // without unk simply drops them at encode time.
    return new LmVocab(tokens, tokenizer, unk);
  }

  get size(): number {
    return this.tokens.length;
  }
  /** Id of a token, or undefined when it is not in the vocabulary. */
  get(token: string): number | undefined {
    return this.index.get(token);
  }
  has(token: string): boolean {
    return this.index.has(token);
  }
  /** Token of an id; throws when out of range. */
  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined) throw new RangeError(`LmVocab.token: id ${id} out of range [0, ${this.size})`);
    return t;
  }

  /** Tokens → ids (unknown → unk id, or dropped when there is no unk; see `encodeWithStats`). */
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

  /** Tokenise a text with this vocabulary's tokenizer, then encode (for prompts). */
  encodeText(text: string): EncodeStats {
    return this.encodeWithStats(this.tokenize(text));
  }

  /** Cut a text into tokens the way the training corpus was cut. */
  tokenize(text: string): string[] {
    return tokenizeLm(text, this.tokenizer);
  }

  /** Ids → tokens; throws on an id outside [0, size). */
  decode(ids: ArrayLike<number>): string[] {
    const out = new Array<string>(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = this.token(ids[i]!);
    return out;
  }

  /** Ids → display text (char: concatenation; word: spaces, eos → newline). */
  decodeText(ids: ArrayLike<number>): string {
    return detokenize(this.decode(ids), this.tokenizer);
  }

  toJSON(): LmVocabJSON {
    return { format: "rnnkit.lm-vocab", version: 1, tokenizer: { ...this.tokenizer }, unk: this.unk, tokens: [...this.tokens] };
  }

  static fromJSON(json: unknown): LmVocab {
    const j = json as Partial<LmVocabJSON> | null;
    if (j === null || typeof j !== "object" || j.format !== "rnnkit.lm-vocab") {
      throw new TypeError(`LmVocab.fromJSON: expected an object with format "rnnkit.lm-vocab" (hint: pass JSON.parse of what toJSON wrote)`);
    }
    if (j.version !== 1) throw new RangeError(`LmVocab.fromJSON: unsupported version ${String(j.version)}, expected 1`);
    if (!Array.isArray(j.tokens)) throw new TypeError("LmVocab.fromJSON: tokens must be an array of strings");
    const tk = j.tokenizer;
    if (
      tk === undefined ||
      typeof tk !== "object" ||
      (tk.level !== "char" && tk.level !== "word") ||
      (tk.wordStyle !== "ptb" && tk.wordStyle !== "prose") ||
      typeof tk.lower !== "boolean" ||
      typeof tk.eos !== "string"
    ) {
      throw new TypeError(`LmVocab.fromJSON: tokenizer must be { level, wordStyle, lower, eos }, got ${JSON.stringify(tk)}`);
    }
    const unk = j.unk ?? null;
    if (unk !== null && typeof unk !== "string") throw new TypeError(`LmVocab.fromJSON: unk must be a string or null, got ${typeof unk}`);
    return new LmVocab(j.tokens, { level: tk.level, wordStyle: tk.wordStyle, lower: tk.lower, eos: tk.eos }, unk);
  }
}
