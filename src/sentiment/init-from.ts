/**
 * Transfer learning for text classifiers: start a new classifier from a trained one
 * (`rnnkit train-classifier --init-from models/imdb-bilstm/model.safetensors`).
 *
 * - Embedding rows are copied word by word: a word of the new vocabulary that the checkpoint's
 *   vocabulary knows gets the checkpoint's row (the vocabularies differ, so rows are matched by
 *   word, never by id); other words keep their initialisation (random, or pretrained vectors).
 *   `<unk>` gets the checkpoint's `<unk>` row; `<pad>` stays zero.
 * - The recurrent layers (`rnn.*`) are copied tensor by tensor; they must match exactly (cell,
 *   hidden size, layers, directions, embedding size) — a mismatch is an error naming the setting.
 * - The output layer (`classifier.*`) is copied when the label sets correspond one to one (same
 *   names, or the same polarities: neg/pos ↔ 0/1 ↔ negative/positive), rows reordered to the new
 *   label order; otherwise the new task gets a freshly initialised output layer.
 */
import type { Vocabulary } from "../data/text/vocabulary.js";
import { PAD_ID } from "../data/text/vocabulary.js";
import { SequenceClassifier } from "../models/sequence-classifier.js";
import { mapLabels } from "../transformers/labels.js";
import type { ClassifierBundle } from "../io/checkpoint.js";

export interface InitFromReport {
  /** Rows of the new embedding copied from the checkpoint (words known to both vocabularies). */
  embeddingRows: number;
  vocabSize: number;
  /** Recurrent tensors copied. */
  rnnTensors: number;
  /** "copied (neg→neg, pos→pos)" or "new (…reason…)". */
  head: string;
}

/** A checkpoint `--init-from` can start a (Bi)LSTM classifier from: a SequenceClassifier's. */
export type SequenceBundle = ClassifierBundle & { model: SequenceClassifier };

/** `b` if it holds a SequenceClassifier; a language-model classifier is refused with a hint. */
export function asSequenceBundle(b: ClassifierBundle, path: string): SequenceBundle {
  if (!(b.model instanceof SequenceClassifier))
    throw new Error(`--init-from ${path}: this checkpoint is a classifier built on a language model (ULMFiT); --init-from starts a (Bi)LSTM classifier (hint: continue from it with --from-lm ${path})`);
  return b as SequenceBundle;
}

/**
 * The architecture settings a new classifier must share with `src` for its weights to load; used
 * as defaults for settings the user did not give.
 */
export function initArchitecture(src: SequenceBundle): { embeddingDim: number; hiddenSize: number; numLayers: number; cell: SequenceClassifier["config"]["cell"]; bidirectional: boolean } {
  const c = src.model.config;
  return { embeddingDim: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, cell: c.cell, bidirectional: c.bidirectional };
}

/** Copy what fits from `src` into `model` (see the file comment); throws on an architecture mismatch. */
export function initFromClassifier(model: SequenceClassifier, vocab: Vocabulary, labels: readonly string[], src: SequenceBundle, path: string): InitFromReport {
  const a = model.config;
  const b = src.model.config;
  const hint: Record<string, string> = { cell: "--cell", hiddenSize: "--hidden", numLayers: "--layers", bidirectional: "--unidirectional", embeddingDim: "--emb (and vectors of that dimension with --embeddings)" };
  const diffs = (["cell", "hiddenSize", "numLayers", "bidirectional", "embeddingDim"] as const).filter((k) => a[k] !== b[k]);
  if (diffs.length > 0) {
    throw new Error(
      `--init-from ${path}: the checkpoint's architecture differs: ${diffs.map((k) => `${k} ${String(b[k])} there, ${String(a[k])} here`).join("; ")} ` +
        `(hint: leave ${diffs.map((k) => hint[k]).join(", ")} unset to take the checkpoint's value, or give the same value)`,
    );
  }
  // embedding: row by word
  const E = a.embeddingDim;
  const dst = model.embedding.weight.f32;
  const from = src.model.embedding.weight.f32;
  let rows = 0;
  for (let i = 0; i < vocab.size; i++) {
    if (i === PAD_ID) continue;
    const w = vocab.token(i);
    if (!src.vocab.has(w)) continue;
    const j = src.vocab.id(w);
    dst.set(from.subarray(j * E, (j + 1) * E), i * E);
    rows++;
  }
  // recurrent layers: every tensor, same name and shape
  const own = model.stateDict();
  const theirs = src.model.stateDict();
  let rnnTensors = 0;
  for (const [name, p] of Object.entries(own)) {
    if (!name.startsWith("rnn.")) continue;
    const s = theirs[name];
    if (!s) throw new Error(`--init-from ${path}: the checkpoint has no tensor ${name} (it has: ${Object.keys(theirs).join(", ")})`);
    if (s.shape.length !== p.shape.length || s.shape.some((d, k) => d !== p.shape[k])) throw new Error(`--init-from ${path}: ${name} is [${s.shape.join(", ")}] there but [${p.shape.join(", ")}] here`);
    p.f32.set(s.f32);
    rnnTensors++;
  }
  // output layer: when the labels correspond one to one
  let head: string;
  let perm: number[] | null = null;
  let why = "";
  if (src.labels.length !== labels.length) why = `${src.labels.length} labels there (${src.labels.join(", ")}), ${labels.length} here (${labels.join(", ")})`;
  else {
    try {
      const m = mapLabels(src.labels, labels);
      const t = [...m.target];
      if (new Set(t).size === t.length && t.every((k) => k >= 0)) perm = t;
      else why = `labels ${src.labels.join(", ")} do not correspond one to one to ${labels.join(", ")}`;
    } catch {
      why = `labels ${src.labels.join(", ")} do not correspond to ${labels.join(", ")}`;
    }
  }
  if (perm) {
    const H = model.classifier.weight.shape[1]!;
    const W = model.classifier.weight.f32;
    const bias = model.classifier.bias?.f32;
    const sW = src.model.classifier.weight.f32;
    const sb = src.model.classifier.bias?.f32;
    perm.forEach((k, m) => {
      W.set(sW.subarray(m * H, (m + 1) * H), k * H);
      if (bias && sb) bias[k] = sb[m]!;
    });
    head = `copied (${src.labels.map((l, m) => `${l}→${labels[perm![m]!]}`).join(", ")})`;
  } else head = `new (${why})`;
  return { embeddingRows: rows, vocabSize: vocab.size, rnnTensors, head };
}
