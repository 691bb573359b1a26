/**
 * Checks a checkpoint's model config against its tensors *before* a model is built: the config
 * comes from the file's JSON metadata, and `new LanguageModel({ hiddenSize: 20000, … })` would
 * allocate gigabytes before loadStateDict could notice that the tensors are 200 wide. Here every
 * field is type-checked, the parameter names and shapes the config implies are computed without
 * allocating (recurrentParameterShapes) and compared with the tensors', and the weights are
 * checked to be finite. A model built from a config that passed holds exactly the tensors' elements,
 * so loading needs memory proportional to the file.
 *
 * Both model kinds (language model, sequence classifier) and every load path (Node files, browser
 * bytes, --init-from, --resume) go through checkModelTensors.
 */
import { CheckpointError } from "../errors.js";
import { recurrentParameterShapes } from "../nn/recurrent.js";
import { fmtShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { CELL_TYPES } from "./cell.js";
import type { LanguageModelConfig } from "./language-model.js";
import type { LmClassifierConfig } from "./lm-classifier.js";
import type { Pooling, SequenceClassifierConfig } from "./sequence-classifier.js";
import type { TextClassifierConfig } from "./text-classifier.js";

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** Field readers that throw a CheckpointError naming the file and the field. */
function fields(where: string, what: string, o: unknown) {
  if (!isObject(o)) throw new CheckpointError(`${where}: the ${what} must be a JSON object, got ${o === null ? "null" : Array.isArray(o) ? "an array" : typeof o} (the file is damaged or not an rnnkit checkpoint)`);
  const bad = (k: string, want: string): never => {
    throw new CheckpointError(`${where}: ${what}.${k} must be ${want}, got ${JSON.stringify(o[k]) ?? "nothing"} (the file is damaged)`);
  };
  return {
    /** A positive integer (the tensors bound it further). */
    count(k: string, dflt?: number): number {
      const v = o[k] ?? dflt;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) return bad(k, "a positive integer");
      return v;
    },
    int(k: string, dflt: number, min: number): number {
      const v = o[k] ?? dflt;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min) return bad(k, `an integer ≥ ${min}`);
      return v;
    },
    bool(k: string, dflt: boolean): boolean {
      const v = o[k] ?? dflt;
      if (typeof v !== "boolean") return bad(k, "true or false");
      return v;
    },
    fraction(k: string, dflt: number): number {
      const v = o[k] ?? dflt;
      if (typeof v !== "number" || !(v >= 0 && v < 1)) return bad(k, "a number in [0, 1)");
      return v;
    },
    /** A list of positive integers of at most `max` entries. */
    counts(k: string, max: number, dflt?: number[]): number[] {
      const v = o[k] ?? dflt;
      if (!Array.isArray(v) || v.length === 0 || v.length > max || v.some((x) => typeof x !== "number" || !Number.isSafeInteger(x) || x <= 0)) return bad(k, `a list of 1 to ${max} positive integers`);
      return v as number[];
    },
    oneOf<T extends string>(k: string, dflt: T, choices: readonly T[]): T {
      const v = o[k] ?? dflt;
      if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) return bad(k, `one of ${choices.join(", ")}`);
      return v as T;
    },
  };
}


/**
 * The tensors must be exactly `expected` (names and shapes) and hold only finite numbers.
 * `expected` is built lazily by the caller after cheap bounds, so a config claiming 10⁵ layers
 * fails on the tensor count before any list is made.
 */
export function checkModelTensors(where: string, expected: ReadonlyArray<readonly [string, readonly number[]]>, tensors: Record<string, Tensor>): void {
  const want = new Map(expected.map(([n, s]) => [n, s]));
  const missing = [...want.keys()].filter((n) => !Object.hasOwn(tensors, n));
  const unexpected = Object.keys(tensors).filter((n) => !want.has(n));
  const wrong: string[] = [];
  for (const [n, s] of want) {
    const t = tensors[n];
    if (t && (t.shape.length !== s.length || t.shape.some((d, i) => d !== s[i]))) wrong.push(`${n} is ${fmtShape(t.shape)}, the config implies ${fmtShape(s)}`);
  }
  const list = (xs: string[]): string => (xs.length > 4 ? `${xs.slice(0, 4).join(", ")} … (${xs.length} in all)` : xs.join(", "));
  const problems = [wrong.length ? `shape mismatch: ${list(wrong)}` : "", missing.length ? `missing tensors: ${list(missing)}` : "", unexpected.length ? `unexpected tensors: ${list(unexpected)}` : ""].filter(Boolean);
  if (problems.length) throw new CheckpointError(`${where}: the model config in the metadata does not match the tensors: ${problems.join(" | ")} (the file is damaged or was edited)`);
  checkFinite(where, tensors);
}

/** Every float tensor holds finite numbers only (a NaN/Inf weight makes every prediction NaN). */
export function checkFinite(where: string, tensors: Record<string, Tensor>): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== "float32") continue;
    const a = t.f32;
    // x − x is 0 for finite x and NaN for ±Inf and NaN: one subtraction and compare per element
    let acc = 0;
    for (let i = 0; i < a.length; i++) acc += a[i]! - a[i]!;
    if (acc === 0) continue;
    let i = 0;
    while (i < a.length && Number.isFinite(a[i]!)) i++;
    let n = 0;
    for (let j = i; j < a.length; j++) if (!Number.isFinite(a[j]!)) n++;
    throw new CheckpointError(`${where}: tensor "${name}" holds ${n} non-finite value${n === 1 ? "" : "s"} (first: ${a[i]} at index ${i}) — the model diverged before it was saved, or the file is damaged (hint: retrain, or use an earlier checkpoint)`);
  }
}

/**
 * A stack of L layers × D directions registers 4 tensors each (weights and biases, ih and hh):
 * reject absurd layer counts before listing names (a near miss gets the full comparison, which
 * names the missing tensors).
 */
function checkStackSize(where: string, what: string, layers: number, directions: number, tensors: Record<string, Tensor>, extra: number): void {
  const have = Object.keys(tensors).length;
  const need = layers * directions * 4 + extra;
  if (need > 2 * have + 64) throw new CheckpointError(`${where}: ${what}.numLayers ${layers} implies ${need} tensors, the file has ${have} (the file is damaged or was edited)`);
}

/**
 * A language model's config (metadata `config`) checked against its tensors; returns the config
 * to build the model from. Throws CheckpointError naming the field or tensor otherwise.
 */
export function checkLanguageModelCheckpoint(config: unknown, tensors: Record<string, Tensor>, where: string): Required<LanguageModelConfig> {
  const f = fields(where, "config", config);
  const c: Required<LanguageModelConfig> = {
    vocabSize: f.count("vocabSize"),
    embeddingDim: f.count("embeddingDim"),
    hiddenSize: f.count("hiddenSize"),
    numLayers: f.count("numLayers", 1),
    cell: f.oneOf("cell", "LSTM", CELL_TYPES),
    dropout: f.fraction("dropout", 0),
    tieWeights: f.bool("tieWeights", false),
  };
  if (c.tieWeights && c.embeddingDim !== c.hiddenSize) throw new CheckpointError(`${where}: config.tieWeights needs embeddingDim == hiddenSize, got ${c.embeddingDim} and ${c.hiddenSize}`);
  checkStackSize(where, "config", c.numLayers, 1, tensors, 3);
  const rnn = recurrentParameterShapes(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bias: true, bidirectional: false, projSize: 0 });
  checkModelTensors(
    where,
    [["embedding.weight", [c.vocabSize, c.embeddingDim]], ...rnn.map(([n, s]): [string, number[]] => [`rnn.${n}`, s]), ["decoder.weight", [c.vocabSize, c.hiddenSize]], ["decoder.bias", [c.vocabSize]]],
    tensors,
  );
  return c;
}

/** A sequence classifier's config (metadata `config.model`) checked against its tensors. */
export function checkClassifierCheckpoint(config: unknown, tensors: Record<string, Tensor>, where: string): Required<SequenceClassifierConfig> {
  const f = fields(where, "config.model", config);
  const c: Required<SequenceClassifierConfig> = {
    vocabSize: f.count("vocabSize"),
    embeddingDim: f.count("embeddingDim"),
    hiddenSize: f.count("hiddenSize"),
    numClasses: f.int("numClasses", 0, 2),
    numLayers: f.count("numLayers", 1),
    cell: f.oneOf("cell", "LSTM", CELL_TYPES),
    bidirectional: f.bool("bidirectional", true),
    pooling: f.oneOf<Pooling>("pooling", "final", ["final", "mean", "max"]),
    dropout: f.fraction("dropout", 0),
    paddingIdx: f.int("paddingIdx", 0, -Number.MAX_SAFE_INTEGER),
  };
  if (c.paddingIdx >= c.vocabSize || c.paddingIdx < -c.vocabSize) throw new CheckpointError(`${where}: config.model.paddingIdx ${c.paddingIdx} is outside the vocabulary of ${c.vocabSize}`);
  const D = c.bidirectional ? 2 : 1;
  checkStackSize(where, "config.model", c.numLayers, D, tensors, 3);
  const rnn = recurrentParameterShapes(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bias: true, bidirectional: c.bidirectional, projSize: 0 });
  checkModelTensors(
    where,
    [["embedding.weight", [c.vocabSize, c.embeddingDim]], ...rnn.map(([n, s]): [string, number[]] => [`rnn.${n}`, s]), ["classifier.weight", [c.numClasses, D * c.hiddenSize]], ["classifier.bias", [c.numClasses]]],
    tensors,
  );
  return c;
}

/** A classifier's config (metadata `config.model`): an LmClassifier's (`arch: "lm-classifier"`) or a SequenceClassifier's. */
export function checkTextClassifierCheckpoint(config: unknown, tensors: Record<string, Tensor>, where: string): TextClassifierConfig {
  if (isObject(config) && config["arch"] === "lm-classifier") return { arch: "lm-classifier", ...checkLmClassifierCheckpoint(config, tensors, where) };
  if (isObject(config) && config["arch"] !== undefined && config["arch"] !== "sequence-classifier")
    throw new CheckpointError(`${where}: config.model.arch ${JSON.stringify(config["arch"])} is not a classifier rnnkit knows (sequence-classifier, lm-classifier) — written by a newer rnnkit?`);
  return checkClassifierCheckpoint(config, tensors, where);
}

/** A language-model classifier's config checked against its tensors (encoder, single-layer LSTMs, BatchNorm head). */
export function checkLmClassifierCheckpoint(config: unknown, tensors: Record<string, Tensor>, where: string): Required<LmClassifierConfig> {
  const f = fields(where, "config.model", config);
  // each layer has 4 or 5 tensors: bound the list by the file before building names
  const maxLayers = Math.floor(Object.keys(tensors).length / 4) + 1;
  const hiddenSizes = f.counts("hiddenSizes", maxLayers);
  const o = config as Record<string, unknown>;
  const ps = o["projSizes"] ?? hiddenSizes.map(() => 0);
  if (!Array.isArray(ps) || ps.length !== hiddenSizes.length || ps.some((p, l) => typeof p !== "number" || !Number.isSafeInteger(p) || p < 0 || p >= hiddenSizes[l]!))
    throw new CheckpointError(`${where}: config.model.projSizes must hold one integer in [0, hiddenSize) per layer, got ${JSON.stringify(ps)} (the file is damaged)`);
  const c: Required<LmClassifierConfig> = {
    vocabSize: f.count("vocabSize"),
    embeddingDim: f.count("embeddingDim"),
    hiddenSizes,
    projSizes: ps as number[],
    numClasses: f.int("numClasses", 0, 2),
    headHidden: f.count("headHidden", 50),
    dropoutEmb: f.fraction("dropoutEmb", 0),
    dropoutInp: f.fraction("dropoutInp", 0),
    dropoutHid: f.fraction("dropoutHid", 0),
    weightDrop: f.fraction("weightDrop", 0),
    dropoutPool: f.fraction("dropoutPool", 0),
    dropoutHead: f.fraction("dropoutHead", 0),
    bpttChunk: f.int("bpttChunk", 0, 0),
  };
  const expected: Array<[string, number[]]> = [["encoder.weight", [c.vocabSize, c.embeddingDim]]];
  let inSize = c.embeddingDim;
  hiddenSizes.forEach((h, l) => {
    const P = c.projSizes[l]!;
    for (const [n, s] of recurrentParameterShapes("LSTM", { inputSize: inSize, hiddenSize: h, numLayers: 1, bias: true, bidirectional: false, projSize: P })) expected.push([`rnns.${l}.${n}`, s]);
    inSize = P || h;
  });
  const bn = (i: number, F: number): Array<[string, number[]]> => [[`head.${i}.weight`, [F]], [`head.${i}.bias`, [F]], [`head.${i}.running_mean`, [F]], [`head.${i}.running_var`, [F]], [`head.${i}.num_batches_tracked`, []]];
  expected.push(...bn(0, 3 * inSize), ["head.1.weight", [c.headHidden, 3 * inSize]], ["head.1.bias", [c.headHidden]], ...bn(2, c.headHidden), ["head.3.weight", [c.numClasses, c.headHidden]], ["head.3.bias", [c.numClasses]]);
  checkModelTensors(where, expected, tensors);
  return c;
}
