/**
 * Training data for the PyTorch twin (python/train_ddp.py), encoded by rnnkit itself: the text is
 * read in any format rnnkit reads and cut with the checkpoint's own tokenizer and vocabulary, so
 * the Python side never re-implements tokenization. The result is a safetensors file:
 *
 *   language model   train, valid, test              int32 [N] id streams (each split's tokens in order)
 *   classifier       <split>.ids      int32 [Σ len]  the examples' ids back to back (truncated as the model's pipeline says)
 *                    <split>.offsets  int32 [n + 1]  example i is ids[offsets[i] : offsets[i+1]]
 *                    <split>.labels   int32 [n]      class ids in the model's label order
 *   __metadata__.rnnkit_data  JSON: kind, vocabSize, source, per-split counts and unknown-token rates
 *
 * Splits follow rnnkit's own training: an LM corpus as loadCorpus splits it (split files, or the
 * default fractions of a single text); a classifier's validation set is the dataset's dev set or,
 * like train-classifier, 10 % of the training examples (stratified, seed 1).
 */
import { existsSync } from "node:fs";
import { type CorpusDatasetName, loadCorpus } from "../data/corpus/load.js";
import { encodeCorpus } from "../data/corpus/encode.js";
import { encodeDataset, tokenizeAll } from "../data/sentiment/batching.js";
import { trainValidationSplit } from "../data/sentiment/splits.js";
import type { TabularOptions } from "../data/sentiment/tabular.js";
import type { Example } from "../data/sentiment/types.js";
import { CLASSIFIER_KIND, LM_KIND, classifierFromCheckpoint, lmFromCheckpoint, readCheckpoint, writeFileAtomic } from "../io/checkpoint.js";
import { save } from "../io/safetensors.js";
import { type SentimentDatasetName, loadSentimentData } from "../sentiment/datasets.js";
import { Tensor } from "../tensor/tensor.js";
import { mapLabels } from "../transformers/labels.js";

export interface EncodeDataOptions {
  /** The checkpoint whose tokenizer and vocabulary encode the text. */
  model: string;
  /** Output .safetensors file. */
  out: string;
  /** A file or folder in any format rnnkit reads for this kind of model. */
  path?: string;
  /** A named dataset (LM: moby-dick, ptb, …; classifier: imdb, sst2, …). */
  dataset?: string;
  /** Classifier CSV/TSV/JSON columns, a separate test file, Financial PhraseBank agreement. */
  table?: Partial<TabularOptions>;
  testPath?: string;
  agreement?: string;
  /** Model label → dataset label, when names and polarity do not say it (as eval-classifier --label-map). */
  labelMap?: Record<string, string>;
  /** Classifier validation carve-out (as train-classifier: seed 1, 10 %). */
  seed?: number;
  validFraction?: number;
}

export interface EncodeDataResult {
  kind: string;
  out: string;
  source: string;
  splits: Record<string, { examples?: number; tokens: number; unknownRate: number }>;
}

const rate = (u: number, n: number): number => (n > 0 ? u / n : 0);

export async function encodeDataFile(o: EncodeDataOptions): Promise<EncodeDataResult> {
  if (!o.path && !o.dataset) throw new Error("encode-data: give the text with --data PATH or --dataset NAME");
  if (o.path && !existsSync(o.path)) throw new Error(`encode-data: ${o.path} does not exist`);
  const ckpt = readCheckpoint(o.model);
  const tensors: Record<string, Tensor> = {};
  const splits: EncodeDataResult["splits"] = {};
  let source: string;
  let vocabSize: number;

  if (ckpt.meta.kind === LM_KIND) {
    const { vocab } = lmFromCheckpoint(ckpt, o.model);
    const t = vocab.tokenizer;
    const corpus = await loadCorpus({ ...(o.path ? { path: o.path } : { dataset: o.dataset as CorpusDatasetName }), level: t.level, wordStyle: t.wordStyle, lower: t.lower, ...(t.level === "word" ? { eos: t.eos } : {}) });
    const enc = encodeCorpus(corpus, { vocab });
    for (const s of ["train", "valid", "test"] as const) {
      tensors[s] = new Tensor(enc[s], [enc[s].length]);
      splits[s] = { tokens: enc.stats[s].tokens, unknownRate: enc.stats[s].unknownRate };
    }
    if (enc.train.length < 2) throw new Error(`encode-data: the training split of ${corpus.name} has ${enc.train.length} tokens`);
    source = corpus.name;
    vocabSize = vocab.size;
  } else if (ckpt.meta.kind === CLASSIFIER_KIND) {
    const b = classifierFromCheckpoint(ckpt, o.model);
    const data = await loadSentimentData({
      ...(o.dataset ? { dataset: o.dataset as SentimentDatasetName } : {}),
      ...(o.path ? { path: o.path } : {}),
      ...(o.table ? { table: o.table } : {}),
      ...(o.testPath ? { testPath: o.testPath } : {}),
      ...(o.agreement ? { agreement: o.agreement as "AllAgree" } : {}),
    });
    // class ids in the model's order: each dataset label must be the target of exactly one model label
    const m = mapLabels(b.labels, data.labels, o.labelMap ?? {});
    const classOf = new Map<string, number>();
    data.labels.forEach((l, k) => {
      const from = [...m.target].flatMap((t, c) => (t === k ? [c] : []));
      if (from.length !== 1) throw new Error(`encode-data: dataset label "${l}" ${from.length ? `is the target of several model labels (${from.map((c) => b.labels[c]).join(", ")})` : "matches no model label"} (model labels: ${b.labels.join(", ")}; hint: --label-map)`);
      classOf.set(l, from[0]!);
    });
    const parts: Record<string, Example[]> = {};
    if (data.dev) Object.assign(parts, { train: data.train, valid: data.dev });
    else {
      const s = trainValidationSplit(data.train, { seed: o.seed ?? 1, validFraction: o.validFraction ?? 0.1 });
      Object.assign(parts, { train: s.train, valid: s.valid });
    }
    if (data.test) parts.test = data.test;
    for (const [name, ex] of Object.entries(parts)) {
      const toks = tokenizeAll(ex, b.pipeline.tokenize);
      const enc = encodeDataset(toks, Int32Array.from(ex, (e) => classOf.get(e.label)!), b.vocab, { maxLen: b.pipeline.maxLen, truncate: b.pipeline.truncate });
      const offsets = new Int32Array(ex.length + 1);
      enc.ids.forEach((s, i) => (offsets[i + 1] = offsets[i]! + s.length));
      const ids = new Int32Array(offsets[ex.length]!);
      enc.ids.forEach((s, i) => ids.set(s, offsets[i]!));
      tensors[`${name}.ids`] = new Tensor(ids, [ids.length]);
      tensors[`${name}.offsets`] = new Tensor(offsets, [offsets.length]);
      tensors[`${name}.labels`] = new Tensor(enc.labels, [enc.labels.length]);
      let words = 0;
      let unknown = 0;
      for (const t of toks) for (const w of t) {
        words++;
        if (!b.vocab.has(w)) unknown++;
      }
      splits[name] = { examples: ex.length, tokens: ids.length, unknownRate: rate(unknown, words) };
    }
    source = data.name;
    vocabSize = b.vocab.size;
  } else throw new Error(`${o.model}: encode-data knows ${LM_KIND} and ${CLASSIFIER_KIND} checkpoints, got a ${ckpt.meta.kind}`);

  const meta = { format: "rnnkit.data", version: 1, kind: ckpt.meta.kind, vocabSize, source, model: o.model, splits };
  writeFileAtomic(o.out, save(tensors, { rnnkit_data: JSON.stringify(meta) }));
  return { kind: ckpt.meta.kind, out: o.out, source, splits };
}
