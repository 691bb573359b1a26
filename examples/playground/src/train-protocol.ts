/** Messages between the training view (./train.ts) and its Web Worker (./train-worker.ts). */
import type { NextToken } from "./rnnkit.js";

export interface TrainConfig {
  level: "word" | "char";
  /** Word level: keep the most frequent words (the rest become <unk>). */
  maxVocab: number;
  emb: number;
  hidden: number;
  batch: number;
  bptt: number;
  lr: number;
  /** Wasm threads asked for (more than 1 needs a cross-origin-isolated page). */
  threads: number;
  seed: number;
  /** Prompt of the samples and of the next-word probe. */
  prompt: string;
}

export const DEFAULT_TRAIN: TrainConfig = { level: "word", maxVocab: 2000, emb: 64, hidden: 128, batch: 16, bptt: 20, lr: 3e-3, threads: 2, seed: 1, prompt: "the white" };

export type ToWorker =
  | { type: "start"; config: TrainConfig; corpusUrl: string }
  | { type: "pause" }
  | { type: "resume" }
  /** Checkpoint bytes and the probe's next-word probabilities, from the same weights. */
  | { type: "checkpoint" };

export type FromWorker =
  | { type: "ready"; backend: string; flavor: string | null; threads: number; warning?: string; threadsWarning?: string; corpus: string; params: number }
  | { type: "progress"; step: number; epoch: number; loss: number; firstLoss: number; tokensPerSec: number; seconds: number }
  | { type: "valid"; step: number; loss: number }
  | { type: "sample"; step: number; text: string }
  | { type: "state"; paused: boolean }
  | { type: "checkpoint"; bytes: ArrayBuffer; step: number; prompt: string; next: NextToken[] }
  | { type: "error"; message: string };
