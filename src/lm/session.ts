import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type CorpusDatasetName, type LoadCorpusOptions, loadCorpus } from "../data/corpus/load.js";
import { encodeCorpus } from "../data/corpus/encode.js";
import type { LmVocab } from "../data/corpus/vocab.js";
import type { WordStyle, LmLevel } from "../data/corpus/tokenize.js";
import { readTrainingState, saveTrainingState } from "../io/checkpoint.js";
import { LanguageModel } from "../models/language-model.js";
import type { CellType } from "../models/cell.js";
import { Adam } from "../optim/adam.js";
import type { Optimizer, OptimizerMeta } from "../optim/optimizer.js";
import { SGD } from "../optim/sgd.js";
import { getRngState, manualSeed, setRngState } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import { lineChart } from "../viz/line-chart.js";
import { writeChart } from "../viz/write.js";
import { loadLm, saveLm } from "./checkpoint.js";
import { evaluateLm, type LmEvalResult } from "./evaluate.js";
import { generate } from "./predict.js";
import { type LmEpochInfo, type LmStepInfo, type TrainLmResult, trainLm } from "./train.js";

/** Everything `rnnkit train-lm` can be told; the library's `trainLanguageModel` takes the same. */
export interface LmRunOptions {
  /** A text file or folder (PTB-style split files are detected). */
  data?: string;
  /** A named corpus: moby-dick (default, ships with rnnkit), sotu, ptb, tinyshakespeare, wikitext-2. */
  dataset?: CorpusDatasetName;
  level?: LmLevel;
  wordStyle?: WordStyle;
  lower?: boolean;
  maxVocab?: number;
  minFreq?: number;
  cell?: CellType;
  embeddingDim?: number;
  hiddenSize?: number;
  numLayers?: number;
  dropout?: number;
  tieWeights?: boolean;
  /**
   * Re-initialise every parameter from U(−r, r) (Zaremba et al. use 0.1; 0.05 for their medium and
   * large models). Default: PyTorch's per-layer init (embedding N(0, 1), weights U(±1/√fan)).
   */
  initRange?: number;
  optimizer?: "sgd" | "adam";
  lr?: number;
  /** Multiply lr by this each epoch after `decayAfter` epochs (Zaremba: 0.5 after 4). */
  lrDecay?: number;
  decayAfter?: number;
  weightDecay?: number;
  clip?: number;
  batchSize?: number;
  bptt?: number;
  epochs?: number;
  patience?: number;
  timeLimit?: number;
  seed?: number;
  /** Output checkpoint path (…/model.safetensors); training state, curve and log go beside it. */
  out?: string;
  /** Continue from the checkpoint at `out` and its training state. */
  resume?: boolean;
  /** Tokens of sample text printed after each epoch (0 = none). */
  sampleLength?: number;
  samplePrompt?: string;
  /** Also print a sample every this many seconds of training (0 = only after epochs). */
  sampleEvery?: number;
}

export interface LmRunHooks {
  info?: (msg: string) => void;
  onStart?: (s: { stepsPerEpoch: number; epochs: number; startEpoch: number; vocabSize: number; trainTokens: number; params: number }) => void;
  onStep?: (s: LmStepInfo) => void;
  onEpoch?: (e: LmEpochInfo & { sample?: string }) => void;
  /** A generated sample during training (every `sampleEvery` seconds). */
  onSample?: (s: { epoch: number; step: number; text: string }) => void;
  shouldStop?: () => boolean;
  download?: LoadCorpusOptions["download"];
}

export interface LmRunResult extends TrainLmResult {
  checkpoint: string;
  curve: string;
  test: LmEvalResult | null;
  valid: LmEvalResult | null;
  vocabSize: number;
}

interface TrainingState {
  epoch: number;
  bestValidLoss: number | string;
  history: LmEpochInfo[];
  optimizer: OptimizerMeta;
  rng: number[];
  options: LmRunOptions;
}

export const DEFAULT_LM_PATH = join("runs", "lm", "model.safetensors");
export const trainingStatePath = (ckpt: string): string => ckpt.replace(/\.safetensors$/, "") + ".train.safetensors";

/**
 * Train a language model end to end: load and tokenise the corpus, build the vocabulary on the
 * training split, train with truncated BPTT, validate every epoch, keep the best checkpoint
 * (plus the training state for --resume), draw the loss curve, and report test perplexity with
 * the best weights. Defaults give a first result on the embedded Moby Dick corpus in a minute.
 */
export async function trainLanguageModel(o: LmRunOptions = {}, hooks: LmRunHooks = {}): Promise<LmRunResult> {
  const info = hooks.info ?? (() => {});
  const out = o.out ?? DEFAULT_LM_PATH;
  const statePath = trainingStatePath(out);
  const curvePath = join(dirname(out), "curve.svg");
  mkdirSync(dirname(out), { recursive: true });
  if (o.seed !== undefined) manualSeed(o.seed);

  let vocab: LmVocab | undefined;
  let resumed: { tensors: Record<string, Tensor>; state: TrainingState } | null = null;
  if (o.resume) {
    if (!existsSync(out)) throw new Error(`--resume: no checkpoint at ${out} (hint: train first, or pass the same --out as before)`);
    resumed = readTrainingState<TrainingState>(statePath);
    o = { ...resumed.state.options, ...stripUndefined(o), resume: true };
    const loaded = loadLm(out);
    vocab = loaded.vocab;
  }
  // No corpus named: the quick-start run on the embedded Moby Dick, sized to show a result in a minute.
  const quickStart = !o.data && !o.dataset;
  const corpus = await loadCorpus({
    ...(o.data ? { path: o.data } : { dataset: o.dataset ?? "moby-dick" }),
    level: o.level ?? "word",
    ...(o.wordStyle ? { wordStyle: o.wordStyle } : {}),
    ...(o.lower !== undefined ? { lower: o.lower } : {}),
    ...(hooks.download ? { download: hooks.download } : {}),
  });
  const enc = encodeCorpus(corpus, { ...(vocab ? { vocab } : {}), ...(o.maxVocab || quickStart ? { maxVocab: o.maxVocab ?? 5000 } : {}), ...(o.minFreq ? { minFreq: o.minFreq } : {}) });
  vocab = enc.vocab;
  info(`corpus ${corpus.name}: ${enc.train.length.toLocaleString()} train / ${enc.valid.length.toLocaleString()} valid / ${enc.test.length.toLocaleString()} test tokens, vocabulary ${vocab.size.toLocaleString()} (${corpus.tokenizer.level} level)`);

  const cfg = {
    vocabSize: vocab.size,
    embeddingDim: o.embeddingDim ?? (quickStart ? 128 : 200),
    hiddenSize: o.hiddenSize ?? (quickStart ? 256 : 200),
    numLayers: o.numLayers ?? (quickStart ? 1 : 2),
    cell: o.cell ?? "LSTM",
    dropout: o.dropout ?? 0,
    tieWeights: o.tieWeights ?? false,
  } as const;
  const model = new LanguageModel(cfg);
  if (o.initRange !== undefined && !resumed) model.initUniform(o.initRange);
  const optName = o.optimizer ?? "adam";
  const lr = o.lr ?? (optName === "sgd" ? 1 : 2e-3);
  const optimizer: Optimizer =
    optName === "sgd" ? new SGD(model.parameters(), { lr, weightDecay: o.weightDecay ?? 0 }) : new Adam(model.parameters(), { lr, weightDecay: o.weightDecay ?? 0 });
  let startEpoch = 1;
  let best = Infinity;
  const history: LmEpochInfo[] = [];
  if (resumed) {
    const s = resumed.state;
    const modelPart = Object.fromEntries(Object.entries(resumed.tensors).filter(([k]) => k.startsWith("model.")).map(([k, v]) => [k.slice(6), v]));
    model.loadStateDict(modelPart);
    const optPart = Object.fromEntries(Object.entries(resumed.tensors).filter(([k]) => k.startsWith("optim.")).map(([k, v]) => [k.slice(6), v]));
    optimizer.loadStateDict({ tensors: optPart, meta: s.optimizer });
    setRngState(s.rng);
    startEpoch = s.epoch + 1;
    best = Number(s.bestValidLoss);
    history.push(...s.history);
    info(`resuming ${out} after epoch ${s.epoch} (best validation loss ${best.toFixed(4)})`);
  }
  const B = o.batchSize ?? 20;
  const bptt = o.bptt ?? 35;
  const epochs = o.epochs ?? (quickStart ? 3 : 6);
  const steps = Math.ceil((Math.floor(enc.train.length / B) - 1) / bptt);
  hooks.onStart?.({ stepsPerEpoch: steps, epochs, startEpoch, vocabSize: vocab.size, trainTokens: enc.train.length, params: model.numParameters() });

  const saveState = (epoch: number): void => {
    const os = optimizer.stateDict();
    const tensors: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(model.stateDict())) tensors[`model.${k}`] = v;
    for (const [k, v] of Object.entries(os.tensors)) tensors[`optim.${k}`] = v;
    const state: TrainingState = { epoch, bestValidLoss: String(best), history, optimizer: os.meta, rng: getRngState(), options: { ...o, resume: false } };
    saveTrainingState(statePath, tensors, state);
  };
  const drawCurve = (): void => {
    const series = [
      { name: "train", points: history.map((h) => ({ x: h.epoch, y: Math.exp(h.trainLoss) })) },
      { name: "validation", points: history.filter((h) => h.validLoss !== null).map((h) => ({ x: h.epoch, y: Math.exp(h.validLoss!) })) },
    ];
    writeChart(curvePath, lineChart({ title: `Perplexity — ${corpus.name} (${cfg.cell} ${cfg.numLayers}×${cfg.hiddenSize})`, xLabel: "epoch", yLabel: "perplexity", yScale: "log", series, markers: true }));
  };

  let lastSample = Date.now();
  /** A short generated continuation, to watch the model learn (training mode is restored). */
  const sampleText = (): string | undefined => {
    if ((o.sampleLength ?? 30) <= 0) return undefined;
    const prompt = o.samplePrompt ?? (corpus.tokenizer.level === "char" ? "\n" : "the");
    try {
      return generate(model, vocab!, prompt, { length: o.sampleLength ?? 30, temperature: 0.8, topK: 40 }).text;
    } catch {
      return undefined;
    } finally {
      model.train();
    }
  };
  const decay = o.lrDecay ?? (optName === "sgd" ? 0.5 : 1);
  const decayAfter = o.decayAfter ?? 4;
  const result = await trainLm({
    model,
    optimizer,
    train: enc.train,
    valid: enc.valid,
    batchSize: B,
    bptt,
    epochs,
    startEpoch,
    clip: o.clip ?? (optName === "sgd" ? 5 : 1),
    lrForEpoch: decay === 1 ? null : (epoch) => lr * Math.pow(decay, Math.max(0, epoch - decayAfter)),
    patience: o.patience ?? 0,
    bestValidLoss: best,
    timeLimit: o.timeLimit ?? 0,
    onStep: (s) => {
      hooks.onStep?.(s);
      if (o.sampleEvery && o.sampleEvery > 0 && (Date.now() - lastSample) / 1000 >= o.sampleEvery) {
        lastSample = Date.now();
        const text = sampleText();
        if (text !== undefined) hooks.onSample?.({ epoch: s.epoch, step: s.step, text });
      }
    },
    ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
    onEpoch: (e) => {
      const at = history.findIndex((h) => h.epoch >= e.epoch);
      if (at >= 0) history.length = at;
      history.push(e);
      if (e.improved) {
        best = e.validLoss ?? e.trainLoss;
        saveLm(out, model, vocab!, { epoch: e.epoch, validLoss: e.validLoss, validPerplexity: e.validPerplexity, corpus: corpus.name, trainedTokens: enc.train.length });
      }
      saveState(e.epoch);
      drawCurve();
      const sample = sampleText();
      lastSample = Date.now();
      hooks.onEpoch?.({ ...e, ...(sample !== undefined ? { sample } : {}) });
    },
  });

  if (result.stoppedBy === "interrupt") saveState(result.lastEpoch);
  let valid: LmEvalResult | null = null;
  let test: LmEvalResult | null = null;
  if (existsSync(out) && result.stoppedBy !== "interrupt") {
    const bestModel = loadLm(out).model;
    if (enc.valid.length > 2) valid = evaluateLm(bestModel, enc.valid, { batchSize: 10, bptt });
    if (enc.test.length > 2) test = evaluateLm(bestModel, enc.test, { batchSize: 10, bptt });
  }
  return { ...result, history, checkpoint: out, curve: curvePath, valid, test, vocabSize: vocab.size };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
