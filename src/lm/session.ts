import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { type CorpusDatasetName, type LoadCorpusOptions, loadCorpus } from "../data/corpus/load.js";
import { encodeCorpus } from "../data/corpus/encode.js";
import type { LmVocabulary } from "../data/text/vocabulary.js";
import type { WordStyle, LmLevel } from "../data/text/tokenize.js";
import { LanguageModel } from "../models/language-model.js";
import type { RecurrentLm } from "../models/recurrent-lm.js";
import { NTASGD } from "../optim/nt-asgd.js";
import { AWD_DEFAULTS, type AwdRunOptions, type LmOptimizerName, averagedWeights, buildAwdModel, buildLmOptimizer } from "./awd-run.js";
import type { CellType } from "../models/cell.js";
import type { OptimizerMeta } from "../optim/optimizer.js";
import { Generator } from "../tensor/random.js";
import type { Tensor } from "../tensor/tensor.js";
import { type EpochRecord, type SnapshotReason, type TrainLoopResult, type TrainerSnapshot, trainLoop } from "../train/loop.js";
import { claimOutput } from "../train/output.js";
import { givenOptions, loadSnapshot, resumeNotes, saveSnapshot, trainingStatePath } from "../train/snapshot-file.js";
import { lineChart } from "../viz/line-chart.js";
import { writeChart } from "../viz/write.js";
import { loadAnyLm, saveLm } from "../io/checkpoint.js";
import { evaluateLm, type LmEvalResult } from "./evaluate.js";
import { generate } from "./predict.js";
import { type LmEpochInfo, type LmStepInfo, type TrainLmResult, lmEpochInfo, lmTask } from "./train.js";

/** Everything `rnnkit train-lm` can be told; the library's `trainLanguageModel` takes the same. */
export interface LmRunOptions extends AwdRunOptions {
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
  /** sgd, adam, asgd (averaged from the start) or nt-asgd (SGD, then averaged: the AWD-LSTM default). */
  optimizer?: LmOptimizerName;
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
  /** Save the training state (for --resume) also every `steps` steps and/or `seconds` seconds, not only after each epoch. */
  checkpointEvery?: { steps?: number; seconds?: number };
}

export interface LmRunHooks {
  info?: (msg: string) => void;
  /** `startStep`: steps already done (a resumed run), of `epochs × stepsPerEpoch`. */
  onStart?: (s: { stepsPerEpoch: number; epochs: number; startEpoch: number; startStep: number; vocabSize: number; trainTokens: number; params: number }) => void;
  onStep?: (s: LmStepInfo) => void;
  onEpoch?: (e: LmEpochInfo & { sample?: string }) => void;
  /** A generated sample during training (every `sampleEvery` seconds). */
  onSample?: (s: { epoch: number; step: number; text: string }) => void;
  shouldStop?: () => boolean;
  /** After the training state (for --resume) was written: at epoch ends, periodically, on a stop. */
  onSaved?: (why: SnapshotReason) => void;
  download?: LoadCorpusOptions["download"];
}

export interface LmRunResult extends TrainLmResult {
  /** The best model's checkpoint; null when none was written (e.g. the loss diverged in the first epoch). */
  checkpoint: string | null;
  /** The perplexity curve (SVG); null when no epoch finished. */
  curve: string | null;
  test: LmEvalResult | null;
  valid: LmEvalResult | null;
  vocabSize: number;
}

/** Options that only an AWD-LSTM run takes. */
const AWD_ONLY = ["hiddenSizes", "weightDrop", "dropoutEmb", "dropoutInp", "dropoutHid", "dropoutOut", "alpha", "beta", "adaptiveSoftmax", "divValue"] as const;

export const DEFAULT_LM_PATH = join("runs", "lm", "model.safetensors");
export { trainingStatePath };

/**
 * Train a language model end to end: load and tokenise the corpus, build the vocabulary on the
 * training split, train with truncated BPTT, validate every epoch, keep the best checkpoint
 * (plus the training state for --resume), draw the loss curve, and report test perplexity with
 * the best weights. Defaults give a first result on the embedded Moby Dick corpus in a minute.
 */
export async function trainLanguageModel(o: LmRunOptions = {}, hooks: LmRunHooks = {}): Promise<LmRunResult> {
  const out = o.out ?? DEFAULT_LM_PATH;
  const lock = claimOutput(out);
  try {
    return await run(o, hooks, out, lock.tookOver);
  } finally {
    lock.release();
  }
}

async function run(o: LmRunOptions, hooks: LmRunHooks, out: string, tookOver: string | null): Promise<LmRunResult> {
  const info = hooks.info ?? (() => {});
  const statePath = trainingStatePath(out);
  const curvePath = join(dirname(out), "curve.svg");
  if (tookOver) info(`${out}: took over the lock of a run that is gone (${tookOver})`);
  const given = givenOptions(o);

  let vocab: LmVocabulary | undefined;
  let resumed: { snapshot: TrainerSnapshot | null; tensors: Record<string, Tensor>; extra: Record<string, unknown> } | null = null;
  if (o.resume) {
    if (!existsSync(out) && !existsSync(statePath)) throw new Error(`--resume: no checkpoint at ${out} (hint: train first, or pass the same --out as before)`);
    resumed = loadSnapshot(statePath);
    o = { ...(resumed.extra.options as LmRunOptions), ...given, resume: true };
    if (existsSync(out)) vocab = loadAnyLm(out).vocab;
  }
  // Every random draw of the run comes from one of these, all derived from the seed: samples,
  // logging or timing never shift what is trained.
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  o = { ...o, seed };
  const rng = { init: new Generator(seed), dropout: Generator.derive(seed, "dropout"), sample: Generator.derive(seed, "sample") };
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

  const awd = o.awd ?? false;
  if (!awd) for (const k of AWD_ONLY) if (o[k] !== undefined) throw new RangeError(`${k} is an AWD-LSTM option (hint: add --awd)`);
  const cfg = {
    vocabSize: vocab.size,
    embeddingDim: o.embeddingDim ?? (quickStart ? 128 : 200),
    hiddenSize: o.hiddenSize ?? (quickStart ? 256 : 200),
    numLayers: o.numLayers ?? (quickStart ? 1 : 2),
    cell: o.cell ?? "LSTM",
    dropout: o.dropout ?? 0,
    tieWeights: o.tieWeights ?? false,
  } as const;
  const model = awd ? buildAwdModel(o, vocab.size, quickStart, rng.init) : new LanguageModel(cfg, { generator: rng.init });
  if (o.initRange !== undefined && !resumed) {
    if (!(model instanceof LanguageModel)) throw new RangeError("--init-range is the plain model's (an AWD-LSTM initialises as Merity et al.: encoder U(±0.1), LSTMs PyTorch's default)");
    model.initUniform(o.initRange, rng.init);
  }
  model.useGenerator(rng.dropout);
  const optName = o.optimizer ?? (awd ? AWD_DEFAULTS.optimizer : "adam");
  const lr = o.lr ?? (awd ? AWD_DEFAULTS.lr : optName === "adam" ? 2e-3 : 1);
  const optimizer = buildLmOptimizer(optName, model.parameters(), { lr, weightDecay: o.weightDecay ?? (awd ? AWD_DEFAULTS.weightDecay : 0), ...(o.nonmono !== undefined ? { nonmono: o.nonmono } : {}) });
  /** Evaluate and save the weights the optimizer vouches for: ASGD's averages. */
  const evalWith = averagedWeights(optimizer);
  const B = o.batchSize ?? 20;
  const bptt = o.bptt ?? (awd ? AWD_DEFAULTS.bptt : 35);
  const epochs = o.epochs ?? (quickStart ? 3 : 6);
  const task = lmTask(model as RecurrentLm, enc.train, enc.valid, { batchSize: B, bptt, evalWith });
  if (o.averageNow) {
    // e.g. a resumed run whose time is running out: average the iterates from here on, as the
    // trigger would have (startEpoch runs after a resumed optimizer state is loaded)
    if (!(optimizer instanceof NTASGD)) throw new RangeError(`averageNow switches NT-ASGD to averaging, but the optimizer is ${optName} (hint: --awd or --optimizer nt-asgd)`);
    const inner = task.startEpoch?.bind(task);
    task.startEpoch = (epoch: number): void => {
      inner?.(epoch);
      if (optimizer.averaging) return;
      optimizer.startAveraging();
      info(`epoch ${epoch}: averaged SGD from here on (--average-now)`);
    };
  }
  const steps = task.stepsPerEpoch;
  let snapshot: TrainerSnapshot | null = null;
  if (resumed) {
    snapshot = resumed.snapshot ?? fromFirstFormat(resumed.tensors, resumed.extra as unknown as FirstFormatState, steps, lr);
    for (const n of resumeNotes(out, snapshot.state, { bestName: "best validation loss", lr: given.lr })) info(n);
  }
  const history: LmEpochInfo[] = (snapshot?.state.history ?? []).map(lmEpochInfo);
  const start = snapshot?.state.position ?? { epoch: 1, step: 0, globalStep: 0 };
  hooks.onStart?.({ stepsPerEpoch: steps, epochs, startEpoch: start.epoch, startStep: start.globalStep, vocabSize: vocab.size, trainTokens: enc.train.length, params: model.numParameters() });

  const drawCurve = (): void => {
    const series = [
      { name: "train", points: history.map((h) => ({ x: h.epoch, y: Math.exp(h.trainLoss) })) },
      { name: "validation", points: history.filter((h) => h.validLoss !== null).map((h) => ({ x: h.epoch, y: Math.exp(h.validLoss!) })) },
    ];
    const arch = model instanceof LanguageModel ? `${cfg.cell} ${cfg.numLayers}×${cfg.hiddenSize}` : `AWD-LSTM ${model.config.hiddenSizes.join("/")}`;
    writeChart(curvePath, lineChart({ title: `Perplexity — ${corpus.name} (${arch})`, xLabel: "epoch", yLabel: "perplexity", yScale: "log", series, markers: true }));
  };

  let lastSample = Date.now();
  /** A short generated continuation from the run's own sampling stream, to watch the model learn. */
  const sampleText = (): string | undefined => {
    if ((o.sampleLength ?? 30) <= 0) return undefined;
    const prompt = o.samplePrompt ?? (corpus.tokenizer.level === "char" ? "\n" : "the");
    try {
      return generate(model, vocab!, prompt, { length: o.sampleLength ?? 30, temperature: 0.8, topK: 40, generator: rng.sample }).text;
    } catch {
      return undefined;
    } finally {
      model.train();
    }
  };
  const decay = o.lrDecay ?? (optName === "sgd" && !awd ? 0.5 : 1);
  const decayAfter = o.decayAfter ?? 4;
  const options = { ...o, resume: false };
  const result: TrainLoopResult = await trainLoop({
    task,
    model,
    optimizer,
    epochs,
    clip: o.clip ?? (awd ? AWD_DEFAULTS.clip : optName === "sgd" ? 5 : 1),
    lrFactor: decay === 1 ? null : (at) => Math.pow(decay, Math.max(0, at.epoch - decayAfter)),
    ...(given.lr !== undefined && snapshot ? { baseLrs: [given.lr] } : {}),
    monitor: { mode: "min", value: (e) => e.valid?.loss ?? e.trainLoss },
    patience: o.patience ?? 0,
    timeLimit: o.timeLimit ?? 0,
    ...(o.checkpointEvery ? { checkpointEvery: o.checkpointEvery } : {}),
    generators: { dropout: rng.dropout, sample: rng.sample },
    resume: snapshot,
    onSnapshot: (s, why) => {
      saveSnapshot(statePath, s, { kind: "language-model", options });
      hooks.onSaved?.(why);
    },
    onStep: (s) => {
      hooks.onStep?.({ epoch: s.epoch, step: s.step, steps: s.steps, globalStep: s.globalStep, loss: s.loss, tokensPerSec: s.tokensPerSec, lr: s.lr, gradNorm: s.gradNorm });
      if (o.sampleEvery && o.sampleEvery > 0 && (Date.now() - lastSample) / 1000 >= o.sampleEvery) {
        lastSample = Date.now();
        const text = sampleText();
        if (text !== undefined) hooks.onSample?.({ epoch: s.epoch, step: s.step, text });
      }
    },
    ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
    onEpoch: (rec: EpochRecord) => {
      const e = lmEpochInfo(rec);
      const at = history.findIndex((h) => h.epoch >= e.epoch);
      if (at >= 0) history.length = at;
      history.push(e);
      if (e.improved) evalWith(() => saveLm(out, model, vocab!, { epoch: e.epoch, validLoss: e.validLoss, validPerplexity: e.validPerplexity, corpus: corpus.name, trainedTokens: enc.train.length }));
      // NT-ASGD: the non-monotonic trigger sees every validation (the switch is in the epoch's snapshot)
      if (optimizer instanceof NTASGD && e.validLoss !== null && !e.partial && optimizer.validationLoss(e.validLoss))
        info(`epoch ${e.epoch}: validation loss ${e.validLoss.toFixed(4)} is worse than the best before the last ${optimizer.trigger.nonmono} evaluations: averaged SGD from here on (NT-ASGD)`);
      drawCurve();
      const sample = sampleText();
      lastSample = Date.now();
      hooks.onEpoch?.({ ...e, ...(sample !== undefined ? { sample } : {}) });
    },
  });

  let valid: LmEvalResult | null = null;
  let test: LmEvalResult | null = null;
  const saved = existsSync(out);
  if (saved && result.stoppedBy !== "interrupt") {
    const bestModel = loadAnyLm(out).model;
    if (enc.valid.length > 2) valid = evaluateLm(bestModel, enc.valid, { batchSize: 10, bptt });
    if (enc.test.length > 2) test = evaluateLm(bestModel, enc.test, { batchSize: 10, bptt });
  }
  const { history: _h, best, ...rest } = result;
  return { ...rest, history, bestValidLoss: best, lastEpoch: result.position.epoch - 1, checkpoint: saved ? out : null, curve: existsSync(curvePath) ? curvePath : null, valid, test, vocabSize: vocab.size };
}

/** The training state train-lm wrote before the shared trainer (after whole epochs only). */
interface FirstFormatState {
  epoch: number;
  bestValidLoss: number | string;
  history: LmEpochInfo[];
  optimizer: OptimizerMeta;
  rng: number[];
  options: LmRunOptions;
}

/** Continue a run saved in the first format: after its last epoch, dropout drawing on from its saved stream. */
function fromFirstFormat(tensors: Record<string, Tensor>, s: FirstFormatState, steps: number, lr: number): TrainerSnapshot {
  if (!Number.isInteger(s.epoch) || !Array.isArray(s.history) || !s.optimizer || !Array.isArray(s.rng)) throw new Error("--resume: the training state is neither of this version nor of the first format (the file is damaged)");
  const lastImproved = [...s.history].reverse().find((h) => h.improved);
  const rngState = s.rng.map((x) => x >>> 0) as [number, number, number, number];
  return {
    tensors,
    state: {
      format: "rnnkit.trainer",
      version: 1,
      position: { epoch: s.epoch + 1, step: 0, globalStep: s.epoch * steps },
      stepsPerEpoch: steps,
      epochSums: { loss: 0, weight: 0, tokens: 0, seconds: 0, sums: {} },
      best: s.bestValidLoss,
      bestEpoch: lastImproved?.epoch ?? 0,
      sinceBest: 0,
      history: s.history.map((h) => ({
        epoch: h.epoch,
        trainLoss: h.trainLoss,
        train: {},
        valid: h.validLoss === null ? null : { loss: h.validLoss, perplexity: h.validPerplexity ?? Math.exp(h.validLoss) },
        lr: h.lr,
        seconds: h.seconds,
        tokensPerSec: h.tokensPerSec,
        improved: h.improved,
        steps,
      })),
      baseLrs: [lr],
      generators: { dropout: rngState, sample: rngState },
      optimizer: s.optimizer,
    },
  };
}
