/**
 * Workloads of the AWD-LSTM benchmark (bench/awd.ts), shared with its PyTorch side
 * (bench/torch_awd.py reads the same JSON): language-model training steps and classifier
 * fine-tuning steps on Zipf-distributed token ids (frequency-ranked as a real vocabulary is, so
 * the adaptive softmax's head covers the same share of tokens as on text).
 */
export interface AwdBenchConfig {
  name: string;
  kind: "lm" | "classifier";
  vocab: number;
  emb: number;
  hidden: number[];
  batch: number;
  bptt: number;
  /** Adaptive softmax cutoffs (LM only); absent: full softmax, tied to the embedding. */
  cutoffs?: number[];
  divValue?: number;
  note: string;
}

/** AWD-LSTM dropouts (Merity et al., PTB), ULMFiT's classifier uses them × 0.5. */
export const AWD_DROPOUT = { emb: 0.1, inp: 0.65, hid: 0.3, out: 0.4, w: 0.5 };
export const AR_ALPHA = 2;
export const TAR_BETA = 1;
export const CLIP = 0.25;
export const LM_LR = 30;

export const AWD_CONFIGS: Record<string, AwdBenchConfig> = {
  paper: { name: "paper", kind: "lm", vocab: 10000, emb: 400, hidden: [1150, 1150, 400], batch: 20, bptt: 70, note: "AWD-LSTM's PTB model (batch 20 instead of 80)" },
  small: { name: "small", kind: "lm", vocab: 10000, emb: 200, hidden: [512, 512, 200], batch: 20, bptt: 70, note: "a 2-core-friendly AWD-LSTM" },
  "v50k-full": { name: "v50k-full", kind: "lm", vocab: 50000, emb: 400, hidden: [1150, 400], batch: 20, bptt: 70, note: "50k words, full softmax (tied)" },
  "v50k-adaptive": { name: "v50k-adaptive", kind: "lm", vocab: 50000, emb: 400, hidden: [1150, 400], batch: 20, bptt: 70, cutoffs: [4000, 20000], divValue: 4, note: "50k words, adaptive softmax [4000, 20000], div 4" },
  classifier: { name: "classifier", kind: "classifier", vocab: 30000, emb: 400, hidden: [1150, 1150, 400], batch: 16, bptt: 140, note: "ULMFiT fine-tuning: AWD encoder + concat pooling head, Adam" },
};

/** Zipf(1) token ids over [0, V): id r has probability ∝ 1/(r + 1) (seeded, reproducible). */
export function zipfIds(n: number, V: number, seed = 1): Int32Array {
  const cdf = new Float64Array(V);
  let s = 0;
  for (let r = 0; r < V; r++) cdf[r] = s += 1 / (r + 1);
  let x = seed >>> 0 || 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; // xorshift32
    const u = (x / 4294967296) * s;
    let lo = 0;
    let hi = V - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}
