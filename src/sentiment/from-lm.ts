/**
 * Classifiers built on a trained language model (ULMFiT, Howard & Ruder 2018): the classifier
 * reads text exactly as the language model did (its tokenizer and vocabulary), starts from its
 * embedding and LSTM layers, and is fine-tuned with discriminative learning rates, slanted
 * triangular schedules and gradual unfreezing (train/gradual-unfreezing.ts).
 *
 * The source is a language-model checkpoint (`rnnkit train-lm`, plain or AWD-LSTM), or a
 * classifier that was itself built this way (continue from it on another dataset).
 */
import type { TokenizeOptions } from "../data/text/tokenize.js";
import type { Vocabulary } from "../data/text/vocabulary.js";
import { CLASSIFIER_KIND, LM_KIND, anyLmFromCheckpoint, classifierFromCheckpoint } from "../io/checkpoint-bytes.js";
import { readCheckpoint } from "../io/checkpoint.js";
import type { AwdLstm } from "../models/awd-lstm.js";
import type { LanguageModel } from "../models/language-model.js";
import { LmClassifier, type LmClassifierConfig } from "../models/lm-classifier.js";
import type { Generator } from "../tensor/random.js";

/** Everything about the encoder a classifier starts from. */
export interface LmSource {
  path: string;
  /** What the file held. */
  kind: "language-model" | "lm-classifier";
  /** The language model (kind "language-model"). */
  lm: AwdLstm | LanguageModel | null;
  /** The classifier (kind "lm-classifier"): its encoder is reused, its head when the labels match. */
  classifier: LmClassifier | null;
  classifierLabels: string[];
  vocab: Vocabulary;
  /** How the classifier cuts text: the language model's case folding, review-text words, HTML stripped. */
  tokenize: TokenizeOptions;
}

/** Read a language model (or an LM-based classifier) to build a classifier on. */
export function loadLmSource(path: string): LmSource {
  const ckpt = readCheckpoint(path);
  if (ckpt.meta.kind === LM_KIND) {
    const { model, vocab } = anyLmFromCheckpoint(ckpt, path);
    const spec = vocab.tokenizer;
    if (spec.level !== "word" || spec.wordStyle !== "prose")
      throw new Error(
        `--from-lm ${path}: a ${spec.level === "char" ? "character-level" : `word-level (${spec.wordStyle} style)`} language model; a classifier is built on a word-level prose model, which reads raw text as review texts are read (hint: train-lm --level word --word-style prose on your texts)`,
      );
    return { path, kind: "language-model", lm: model as AwdLstm | LanguageModel, classifier: null, classifierLabels: [], vocab, tokenize: { lowercase: spec.lower, stripHtml: true } };
  }
  if (ckpt.meta.kind === CLASSIFIER_KIND) {
    const b = classifierFromCheckpoint(ckpt, path);
    if (!(b.model instanceof LmClassifier)) throw new Error(`--from-lm ${path}: a (Bi)LSTM classifier, not a language model (hint: --init-from ${path} continues from it)`);
    return { path, kind: "lm-classifier", lm: null, classifier: b.model, classifierLabels: b.labels, vocab: b.vocab, tokenize: b.pipeline.tokenize };
  }
  throw new Error(`--from-lm ${path}: holds a ${ckpt.meta.kind}; expected a language model (rnnkit train-lm) or a classifier built on one`);
}

/** Regularisation of a classifier built on a language model (LmClassifierConfig minus the architecture). */
export type LmClassifierOptions = Omit<LmClassifierConfig, "vocabSize" | "embeddingDim" | "hiddenSizes" | "projSizes" | "numClasses">;

/**
 * ULMFiT's classifier dropouts: AWD-LSTM's (embedding 0.1, input 0.4 (fastai's classifier
 * config), hidden 0.3, weight 0.5, pooled features 0.4, head 0.2), each times `dropMult`
 * (fastai's drop_mult; 0.5 in the IMDB example).
 */
export function ulmfitDropouts(dropMult = 0.5): Required<Pick<LmClassifierOptions, "dropoutEmb" | "dropoutInp" | "dropoutHid" | "weightDrop" | "dropoutPool" | "dropoutHead">> {
  if (!(dropMult >= 0 && dropMult < 2)) throw new RangeError(`dropMult must be in [0, 2), got ${dropMult}`);
  const d = (p: number): number => Math.min(0.95, p * dropMult);
  return { dropoutEmb: d(0.1), dropoutInp: d(0.4), dropoutHid: d(0.3), weightDrop: d(0.5), dropoutPool: d(0.4), dropoutHead: d(0.2) };
}

/**
 * A classifier for `numClasses` classes on the source's encoder. From a language model: its
 * embedding and LSTMs, a fresh head. From an LM classifier: its encoder, and its head too when
 * `labels` are the same as its labels (continue training), else a fresh head.
 */
export function classifierFromSource(src: LmSource, labels: readonly string[], o: LmClassifierOptions, init: { generator?: Generator } = {}): { model: LmClassifier; head: "new" | "copied" } {
  if (src.lm) return { model: LmClassifier.fromLanguageModel(src.lm, { ...o, numClasses: labels.length }, init), head: "new" };
  const from = src.classifier!;
  const c = from.config;
  const model = new LmClassifier({ ...o, vocabSize: c.vocabSize, embeddingDim: c.embeddingDim, hiddenSizes: c.hiddenSizes, projSizes: c.projSizes, numClasses: labels.length, headHidden: o.headHidden ?? c.headHidden }, init);
  const same = labels.length === src.classifierLabels.length && labels.every((l, i) => l === src.classifierLabels[i]) && model.config.headHidden === c.headHidden;
  const own = model.stateDict();
  for (const [k, v] of Object.entries(from.stateDict())) if (same || !k.startsWith("head.")) own[k]!.f32.set(v.f32);
  return { model, head: same ? "copied" : "new" };
}
