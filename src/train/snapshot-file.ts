/**
 * Snapshots of a training run on disk: one safetensors file beside the checkpoint
 * (`model.safetensors` → `model.train.safetensors`) with the snapshot's tensors and, in its
 * metadata, the trainer state plus what the caller adds (e.g. the run's options, to resume with).
 * Written atomically and fsync'd (io/checkpoint.ts), so a kill at any moment leaves the previous
 * snapshot or the new one.
 */
import { readTrainingState, saveTrainingState } from "../io/checkpoint.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TrainerSnapshot, TrainerState } from "./loop.js";

/** Where the snapshot of the run writing `checkpoint` lives. */
export const trainingStatePath = (checkpoint: string): string => checkpoint.replace(/\.safetensors$/, "") + ".train.safetensors";

interface FileState {
  format?: string;
  trainer?: TrainerState;
  [k: string]: unknown;
}

/** Write a snapshot with `extra` JSON beside the trainer state. */
export function saveSnapshot(path: string, s: TrainerSnapshot, extra: Record<string, unknown> = {}): void {
  saveTrainingState(path, s.tensors, { ...extra, format: "rnnkit.training", version: 2, trainer: s.state });
}

/**
 * Read a snapshot file. `snapshot` is null for a file of the first format (written by rnnkit
 * before the shared trainer: per-epoch, `{ epoch, rng, optimizer, … }` in `extra`), which the
 * caller may convert.
 */
export function loadSnapshot(path: string): { snapshot: TrainerSnapshot | null; tensors: Record<string, Tensor>; extra: Record<string, unknown> } {
  const { tensors, state } = readTrainingState<FileState>(path);
  if (state === null || typeof state !== "object") throw new Error(`${path}: the training state is not a JSON object (the file is damaged)`);
  const { trainer, format: _f, version: _v, ...extra } = state;
  if (state.format === "rnnkit.training") {
    if (!trainer || trainer.format !== "rnnkit.trainer") throw new Error(`${path}: the training state has no trainer state (the file is damaged)`);
    return { snapshot: { tensors, state: trainer }, tensors, extra };
  }
  return { snapshot: null, tensors, extra };
}

/** Options a user gave (undefined ones dropped): on resume they override the saved run's. */
export function givenOptions<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * What a resumed run says: where it continues ("after epoch 3", "in epoch 4 after step 17/120"),
 * the best value so far, and a learning rate given anew.
 */
export function resumeNotes(out: string, state: TrainerState, o: { bestName?: string; lr?: number | undefined } = {}): string[] {
  const p = state.position;
  const at = p.step === 0 ? `after epoch ${p.epoch - 1}` : `in epoch ${p.epoch} after step ${p.step}/${state.stepsPerEpoch}`;
  const best = Number(state.best);
  const notes = [`resuming ${out} ${at}${o.bestName && Number.isFinite(best) ? ` (${o.bestName} ${best.toFixed(4)})` : ""}`];
  if (o.lr !== undefined && state.baseLrs[0] !== o.lr) notes.push(`learning rate ${o.lr} from here on (the run had ${state.baseLrs[0]})`);
  return notes;
}
