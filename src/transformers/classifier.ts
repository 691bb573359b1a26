/**
 * A pretrained Hugging Face sequence classifier (transformers.js text-classification pipeline,
 * ONNX weights, onnxruntime-node) behind rnnkit's own interface: class probabilities for texts,
 * long texts handled explicitly (see windows.ts), timing per text.
 *
 *   const clf = await HfTextClassifier.load("hf:test/fixtures/tiny-bert");
 *   const { probs, stats } = await clf.predictProba(["a great film", "awful"]);   // probs [N, C]
 *   clf.labels            // ["NEGATIVE", "POSITIVE"] (the config's id2label, in id order)
 *
 * The pipeline's tokenizer and model are used directly (not its `__call__`), because the
 * pipeline silently truncates at model_max_length and drops the closing special token; here the
 * text is tokenised once without special tokens, cut into windows, and each window is wrapped in
 * the tokenizer's own prefix/suffix (found by encoding a probe with and without them).
 * Probabilities: softmax of the logits in float64, p_c = exp(z_c − max z) / Σ exp(z_j − max z).
 */
import { type HfLibrary, type HfPipeline, loadTransformersLibrary, runtimeDescription } from "./library.js";
import { type ResolveHfOptions, type ResolvedHfModel, resolveHfModel } from "./resolve.js";
import { type LongTextMode, type WindowSpec, checkWindowSpec, defaultStride, makeWindows } from "./windows.js";

export interface HfLoadOptions extends ResolveHfOptions {
  /** ONNX Runtime intra-op threads (default: the runtime's choice). */
  threads?: number;
  /** Progress / notes ("loaded … in 0.2 s"). */
  info?: (msg: string) => void;
}

export interface HfPredictOptions {
  /** "chunk" (default) or "truncate"; see windows.ts. */
  longText?: LongTextMode;
  /** Tokens per window including special tokens (default and maximum: the model's limit). */
  maxLength?: number;
  /** Overlap of consecutive windows in tokens (default: a quarter of the window). */
  stride?: number;
  /** Windows per forward pass (default 16). */
  batchSize?: number;
}

export interface HfRunStats {
  texts: number;
  /** Sequences run through the model (one per window). */
  windows: number;
  /** Forward passes (batches of windows). */
  forwardCalls: number;
  /** Texts longer than one window (chunked or truncated). */
  longTexts: number;
  mode: LongTextMode;
  /** Content tokens per window, overlap between windows. */
  width: number;
  stride: number;
  seconds: number;
  msPerText: number;
}

export interface HfPrediction {
  /** [N, C] probabilities in the model's label order (`labels`). */
  probs: Float32Array;
  stats: HfRunStats;
}

export class HfTextClassifier {
  /** Model labels in class-id order (config id2label, or LABEL_i). */
  readonly labels: string[];
  /** Token limit of one sequence, special tokens included. */
  readonly maxLength: number;
  /** Special token ids put around every window. */
  readonly prefix: number[];
  readonly suffix: number[];
  private readonly padId: number;

  private constructor(
    readonly resolved: ResolvedHfModel,
    private readonly lib: HfLibrary,
    private readonly pipe: HfPipeline,
  ) {
    const cfg = pipe.model.config;
    const n = Object.keys(cfg.id2label ?? {}).length;
    if (n < 2) throw new Error(`--model hf:${resolved.source.spec}: config.json has ${n} label(s) in id2label; a text classifier needs at least 2`);
    this.labels = Array.from({ length: n }, (_, i) => cfg.id2label?.[String(i)] ?? `LABEL_${i}`);
    const tokLimit = pipe.tokenizer.model_max_length;
    const posLimit = cfg.max_position_embeddings ?? Infinity;
    // model_max_length is 1e30 when unset; RoBERTa-style models have max_position_embeddings = limit + 2.
    const limit = Math.min(Number.isFinite(tokLimit) && tokLimit < 1e6 ? tokLimit : Infinity, cfg.model_type === "roberta" || cfg.model_type === "xlm-roberta" ? posLimit - 2 : posLimit);
    this.maxLength = Number.isFinite(limit) ? limit : 512;
    [this.prefix, this.suffix] = specialWrap(pipe);
    this.padId = pipe.tokenizer.pad_token_id ?? 0;
  }

  /** Load `hf:<hub id or folder>` (see resolve.ts for the offline rules). */
  static async load(spec: string, opts: HfLoadOptions = {}): Promise<HfTextClassifier> {
    const resolved = await resolveHfModel(spec, opts);
    const lib = await loadTransformersLibrary();
    const { env } = lib;
    env.allowLocalModels = true;
    env.allowRemoteModels = resolved.allowRemote;
    env.useFSCache = resolved.source.kind === "hub";
    env.cacheDir = resolved.cacheDir;
    const t0 = Date.now();
    let pipe: HfPipeline;
    try {
      pipe = await lib.pipeline("text-classification", resolved.source.id, {
        device: "cpu",
        local_files_only: !resolved.allowRemote,
        cache_dir: resolved.cacheDir,
        ...(resolved.dtype ? { dtype: resolved.dtype } : {}),
        ...(opts.threads ? { session_options: { intraOpNumThreads: opts.threads, interOpNumThreads: 1 } } : {}),
      });
    } catch (e) {
      throw new Error(`--model hf:${resolved.source.spec}: transformers.js could not load it: ${(e as Error).message}`);
    }
    const clf = new HfTextClassifier(resolved, lib, pipe);
    opts.info?.(
      `loaded ${resolved.source.kind === "folder" ? resolved.source.id : `${resolved.source.id} (${resolved.allowRemote ? "downloaded to" : "from"} ${resolved.cacheDir})`}` +
        ` in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${pipe.model.config.model_type ?? "?"} classifier, labels ${clf.labels.join(", ")}, max ${clf.maxLength} tokens, ${runtimeDescription(lib)}`,
    );
    return clf;
  }

  /** The window layout predictProba will use for these options (validated). */
  windowSpec(o: HfPredictOptions = {}): WindowSpec {
    const maxLength = o.maxLength ?? this.maxLength;
    if (!Number.isInteger(maxLength) || maxLength > this.maxLength) throw new RangeError(`--max-length ${maxLength}: must be an integer ≤ the model's limit of ${this.maxLength} tokens`);
    const width = maxLength - this.prefix.length - this.suffix.length;
    const spec: WindowSpec = { mode: o.longText ?? "chunk", width, stride: o.stride ?? defaultStride(width) };
    checkWindowSpec(spec);
    return spec;
  }

  /** One line saying what happens to long texts, for tables and logs. */
  describeLongText(o: HfPredictOptions = {}): string {
    const s = this.windowSpec(o);
    const frame = `${this.prefix.length + this.suffix.length} special`;
    return s.mode === "chunk"
      ? `texts longer than ${s.width} tokens (+${frame}) are cut into windows of ${s.width} overlapping by ${s.stride}; window probabilities are averaged`
      : `texts are truncated to their first ${s.width} tokens (+${frame})`;
  }

  /** Token ids of a text without special tokens. */
  tokenize(text: string): number[] {
    return this.pipe.tokenizer(text, { add_special_tokens: false, return_tensor: false }).input_ids;
  }

  /** Class probabilities [N, C] (model label order) and run statistics. */
  async predictProba(texts: readonly string[], o: HfPredictOptions = {}): Promise<HfPrediction> {
    const spec = this.windowSpec(o);
    const B = o.batchSize ?? 16;
    if (!Number.isInteger(B) || B < 1) throw new RangeError(`predictProba: batchSize must be a positive integer, got ${B}`);
    const t0 = performance.now();
    const C = this.labels.length;
    const owner: number[] = [];
    const seqs: number[][] = [];
    let longTexts = 0;
    for (const [i, text] of texts.entries()) {
      const ids = this.tokenize(text);
      if (ids.length > spec.width) longTexts++;
      for (const w of makeWindows(ids, this.prefix, this.suffix, spec)) {
        owner.push(i);
        seqs.push(w);
      }
    }
    // Length-sorted batches: little padding, and padding never changes a result (attention mask).
    const order = seqs.map((_, j) => j).sort((a, b) => seqs[a]!.length - seqs[b]!.length || a - b);
    const sums = new Float64Array(texts.length * C);
    const counts = new Int32Array(texts.length);
    let forwardCalls = 0;
    for (let s = 0; s < order.length; s += B) {
      const rows = order.slice(s, s + B);
      const logits = await this.forward(rows.map((j) => seqs[j]!));
      forwardCalls++;
      rows.forEach((j, r) => {
        const i = owner[j]!;
        softmaxInto(logits, r * C, C, sums, i * C);
        counts[i]!++;
      });
    }
    const probs = new Float32Array(texts.length * C);
    for (let i = 0; i < texts.length; i++) for (let c = 0; c < C; c++) probs[i * C + c] = sums[i * C + c]! / Math.max(1, counts[i]!);
    const seconds = (performance.now() - t0) / 1000;
    return {
      probs,
      stats: { texts: texts.length, windows: seqs.length, forwardCalls, longTexts, mode: spec.mode, width: spec.width, stride: spec.stride, seconds, msPerText: (1000 * seconds) / Math.max(1, texts.length) },
    };
  }

  /** Logits [rows, C] of padded token sequences. */
  private async forward(rows: number[][]): Promise<ArrayLike<number>> {
    const T = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * T).fill(BigInt(this.padId));
    const mask = new BigInt64Array(rows.length * T);
    rows.forEach((r, i) => {
      for (let t = 0; t < r.length; t++) {
        ids[i * T + t] = BigInt(r[t]!);
        mask[i * T + t] = 1n;
      }
    });
    const { Tensor } = this.lib;
    const out = await this.pipe.model({ input_ids: new Tensor("int64", ids, [rows.length, T]), attention_mask: new Tensor("int64", mask, [rows.length, T]) });
    const z = out.logits;
    const C = this.labels.length;
    if (z.dims.length !== 2 || z.dims[0] !== rows.length || z.dims[1] !== C) throw new Error(`model output logits have shape [${z.dims.join(", ")}], expected [${rows.length}, ${C}] (one score per label of config.json)`);
    return z.data as ArrayLike<number>;
  }

  async dispose(): Promise<void> {
    await this.pipe.dispose?.();
  }
}

/** Add softmax(z[at … at+C)) to out[to … to+C). */
function softmaxInto(z: ArrayLike<number>, at: number, C: number, out: Float64Array, to: number): void {
  let m = -Infinity;
  for (let c = 0; c < C; c++) m = Math.max(m, Number(z[at + c]));
  let s = 0;
  for (let c = 0; c < C; c++) s += Math.exp(Number(z[at + c]) - m);
  for (let c = 0; c < C; c++) out[to + c]! += Math.exp(Number(z[at + c]) - m) / s;
}

/** The special tokens the tokenizer puts before and after a single text, e.g. [CLS] / [SEP]. */
function specialWrap(pipe: HfPipeline): [number[], number[]] {
  const probe = "hello world";
  const full = pipe.tokenizer(probe, { add_special_tokens: true, return_tensor: false }).input_ids;
  const bare = pipe.tokenizer(probe, { add_special_tokens: false, return_tensor: false }).input_ids;
  for (let a = 0; a + bare.length <= full.length; a++) {
    if (bare.every((id, k) => full[a + k] === id)) return [full.slice(0, a), full.slice(a + bare.length)];
  }
  return [[], []];
}
