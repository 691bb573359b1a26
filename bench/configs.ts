/** The shared benchmark configurations (/work/shared/bench/configs.json) and their FLOP counts. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface BenchConfig {
  desc: string;
  vocab: number;
  emb: number;
  hidden: number;
  layers: number;
  bidirectional: boolean;
  seq: number;
  batch: number;
  task: "lm" | "cls";
  classes?: number;
}

/** Where torch_lstm.py and configs.json live: $RNNKIT_BENCH_DIR, else ../shared/bench beside the repo. */
export function benchDir(repoRoot: string): string {
  return process.env.RNNKIT_BENCH_DIR ?? join(repoRoot, "..", "shared", "bench");
}

export function loadConfigs(repoRoot: string): Record<string, BenchConfig> {
  const p = join(benchDir(repoRoot), "configs.json");
  try {
    return JSON.parse(readFileSync(p, "utf8")) as Record<string, BenchConfig>;
  } catch (e) {
    throw new Error(`bench: cannot read ${p} (${(e as Error).message}); set RNNKIT_BENCH_DIR to the folder holding configs.json and torch_lstm.py`);
  }
}

/**
 * Forward multiply-add FLOPs per token (2 per MAC): every LSTM layer/direction 2·4H·(I + H),
 * the output layer 2·H·V (language models, every token) or 2·D·H·classes / T (classifier, once per
 * sequence). Embedding lookups and elementwise work are not counted. A training step is counted
 * as 3× forward (the backward pass does two products per forward product).
 */
export function forwardFlopsPerToken(c: BenchConfig): number {
  const D = c.bidirectional ? 2 : 1;
  let f = 0;
  for (let l = 0; l < c.layers; l++) {
    const I = l === 0 ? c.emb : D * c.hidden;
    f += D * 2 * 4 * c.hidden * (I + c.hidden);
  }
  f += c.task === "lm" ? 2 * c.hidden * c.vocab : (2 * D * c.hidden * (c.classes ?? 2)) / c.seq;
  return f;
}
