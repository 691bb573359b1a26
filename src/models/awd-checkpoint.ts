/**
 * An AWD-LSTM checkpoint's config checked against its tensors before the model is built (as
 * ./checkpoint-config.ts does for the other models): every field is type-checked, the parameter
 * names and shapes the config implies are listed without allocating and compared with the
 * tensors', and the weights must be finite. `config.architecture` is "awd-lstm".
 */
import { CheckpointError } from "../errors.js";
import { recurrentParameterShapes } from "../nn/recurrent.js";
import type { Tensor } from "../tensor/tensor.js";
import type { AwdLstmConfig } from "./awd-lstm.js";
import { checkModelTensors } from "./checkpoint-config.js";

/** `config.architecture` of an AwdLstm checkpoint (a plain LanguageModel's config has none). */
export const AWD_ARCHITECTURE = "awd-lstm";

export const isAwdConfig = (config: unknown): boolean => typeof config === "object" && config !== null && (config as { architecture?: unknown }).architecture === AWD_ARCHITECTURE;

/** The config to build the AwdLstm from; throws CheckpointError naming the field or tensor. */
export function checkAwdLstmCheckpoint(config: unknown, tensors: Record<string, Tensor>, where: string): AwdLstmConfig {
  const o = config as Record<string, unknown>;
  const bad = (k: string, want: string): never => {
    throw new CheckpointError(`${where}: config.${k} must be ${want}, got ${JSON.stringify(o[k]) ?? "nothing"} (the file is damaged)`);
  };
  const posInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
  const count = (k: string): number => (posInt(o[k]) ? (o[k] as number) : bad(k, "a positive integer"));
  const frac = (k: string): number => (typeof o[k] === "number" && (o[k] as number) >= 0 && (o[k] as number) < 1 ? (o[k] as number) : bad(k, "a number in [0, 1)"));
  const nonNeg = (k: string): number => (typeof o[k] === "number" && Number.isFinite(o[k]) && (o[k] as number) >= 0 ? (o[k] as number) : bad(k, "a finite number ≥ 0"));
  const V = count("vocabSize");
  const E = count("embeddingDim");
  const hs = o.hiddenSizes;
  // at most 4–5 tensors per layer: a longer list cannot match the file
  if (!Array.isArray(hs) || hs.length === 0 || hs.length > Object.keys(tensors).length || !hs.every(posInt)) bad("hiddenSizes", `a list of at most ${Object.keys(tensors).length} positive integers`);
  const hidden = hs as number[];
  if (typeof o.tieWeights !== "boolean") bad("tieWeights", "true or false");
  if (o.projection !== "linear" && o.projection !== "lstm") bad("projection", '"linear" or "lstm"');
  const cfg: AwdLstmConfig = {
    vocabSize: V, embeddingDim: E, hiddenSizes: hidden, tieWeights: o.tieWeights as boolean, projection: o.projection as "linear" | "lstm",
    dropoutEmb: frac("dropoutEmb"), dropoutInp: frac("dropoutInp"), dropoutHid: frac("dropoutHid"), dropoutOut: frac("dropoutOut"), weightDrop: frac("weightDrop"),
    alpha: nonNeg("alpha"), beta: nonNeg("beta"), adaptiveSoftmax: null,
  };
  const ad = o.adaptiveSoftmax;
  if (ad !== null && ad !== undefined) {
    const a = ad as { cutoffs?: unknown; divValue?: unknown; headBias?: unknown };
    const c = a.cutoffs;
    if (typeof ad !== "object" || !Array.isArray(c) || c.length === 0 || !c.every((v, i) => posInt(v) && v < V && (i === 0 || v > (c[i - 1] as number)))) bad("adaptiveSoftmax", `{ cutoffs: increasing integers in [1, ${V - 1}], divValue, headBias }`);
    if (typeof a.divValue !== "number" || !(a.divValue > 0) || !Number.isFinite(a.divValue)) bad("adaptiveSoftmax", "an object whose divValue is a positive number");
    if (typeof a.headBias !== "boolean") bad("adaptiveSoftmax", "an object whose headBias is true or false");
    if (cfg.tieWeights) bad("tieWeights", "false with an adaptive softmax");
    cfg.adaptiveSoftmax = { cutoffs: c as number[], divValue: a.divValue as number, headBias: a.headBias as boolean };
  }
  checkModelTensors(where, awdParameterShapes(cfg), tensors);
  return cfg;
}

/** The state-dict names and shapes of an AwdLstm with this (complete) config, tied names included. */
export function awdParameterShapes(c: AwdLstmConfig): Array<[string, number[]]> {
  const E = c.embeddingDim;
  const V = c.vocabSize;
  const hs = c.hiddenSizes!;
  const top = hs[hs.length - 1]!;
  const lstmProj = c.tieWeights! && top !== E && c.projection === "lstm";
  const out: Array<[string, number[]]> = [["encoder.weight", [V, E]]];
  let inSize = E;
  hs.forEach((h, l) => {
    const projSize = l === hs.length - 1 && lstmProj ? E : 0;
    for (const [n, s] of recurrentParameterShapes("LSTM", { inputSize: inSize, hiddenSize: h, numLayers: 1, bias: true, bidirectional: false, projSize })) out.push([`rnns.${l}.${n}`, s]);
    inSize = projSize || h;
  });
  if (c.tieWeights && inSize !== E) {
    out.push(["proj.weight", [E, inSize]]);
    inSize = E;
  }
  const ad = c.adaptiveSoftmax;
  if (!ad) return [...out, ["decoder.weight", [V, inSize]], ["decoder.bias", [V]]];
  const cut = [...ad.cutoffs, V];
  const div = ad.divValue ?? 4;
  out.push(["decoder.head.weight", [cut[0]! + ad.cutoffs.length, inSize]]);
  if (ad.headBias) out.push(["decoder.head.bias", [cut[0]! + ad.cutoffs.length]]);
  for (let i = 0; i < ad.cutoffs.length; i++) {
    const hsz = Math.floor(inSize / div ** (i + 1));
    out.push([`decoder.tail.${i}.0.weight`, [hsz, inSize]], [`decoder.tail.${i}.1.weight`, [cut[i + 1]! - cut[i]!, hsz]]);
  }
  return out;
}
