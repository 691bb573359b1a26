/**
 * Mapping a pretrained model's labels (its config's id2label: "POSITIVE", "LABEL_1", "neutral" …)
 * onto a dataset's labels ("pos", "1", "neutral" …), so the model can be scored like the others.
 *
 * Each model label goes to exactly one dataset label, or is ignored ("-"): probabilities of model
 * labels with the same target are summed, ignored ones dropped, and the rest renormalised:
 *   p(k | x) = Σ_{m → k} p_model(m | x) / Σ_{m not ignored} p_model(m | x)
 *
 * Resolution per model label, first hit wins: the explicit mapping (case-insensitive keys); the
 * same label (case-insensitive); the same polarity — negative/neg, neutral/neu, positive/pos, and
 * for a two-label dataset labelled 0/1 (SST-2), 0 = negative and 1 = positive.
 */

export interface LabelMapping {
  modelLabels: string[];
  datasetLabels: string[];
  /** target[m] = dataset label index of model label m, or -1 when ignored. */
  target: Int32Array;
  /** Human-readable "POSITIVE→pos, NEGATIVE→neg" plus warnings (dataset labels never predicted). */
  description: string;
  notes: string[];
}

type Polarity = "negative" | "neutral" | "positive";

const POLARITY: Record<string, Polarity> = {
  negative: "negative",
  neg: "negative",
  neutral: "neutral",
  neu: "neutral",
  positive: "positive",
  pos: "positive",
};

function polarity(label: string, binary01: boolean): Polarity | null {
  const l = label.trim().toLowerCase();
  if (binary01 && l === "0") return "negative";
  if (binary01 && l === "1") return "positive";
  return POLARITY[l] ?? null;
}

/**
 * Parse "POSITIVE=pos,NEGATIVE=neg,NEUTRAL=-" (the CLI's --label-map) into model → dataset pairs.
 * "-" ignores a model label.
 */
export function parseLabelMap(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const eq = part.lastIndexOf("=");
    if (eq <= 0 || eq === part.length - 1) throw new Error(`--label-map: expected MODEL_LABEL=DATASET_LABEL pairs separated by commas (e.g. POSITIVE=pos,NEGATIVE=neg), got "${part}"`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Map model labels onto dataset labels (see the file comment); throws listing both sides when some cannot be. */
export function mapLabels(modelLabels: readonly string[], datasetLabels: readonly string[], explicit: Readonly<Record<string, string>> = {}): LabelMapping {
  const ds = [...datasetLabels];
  const binary01 = ds.length === 2 && ds.includes("0") && ds.includes("1");
  const byLower = new Map(ds.map((l, i) => [l.toLowerCase(), i] as const));
  const explicitLower = new Map(Object.entries(explicit).map(([k, v]) => [k.toLowerCase(), v] as const));
  for (const k of explicitLower.keys()) {
    if (!modelLabels.some((m) => m.toLowerCase() === k)) throw new Error(`label map: the model has no label "${k}" (model labels: ${modelLabels.join(", ")}; dataset labels: ${ds.join(", ")})`);
  }
  const target = new Int32Array(modelLabels.length).fill(-2);
  const unmapped: string[] = [];
  modelLabels.forEach((m, i) => {
    const want = explicitLower.get(m.toLowerCase());
    if (want !== undefined) {
      if (want === "-") target[i] = -1;
      else {
        const k = ds.indexOf(want);
        if (k < 0) throw new Error(`label map: ${m}=${want}, but the dataset has no label "${want}" (dataset labels: ${ds.join(", ")})`);
        target[i] = k;
      }
      return;
    }
    const same = byLower.get(m.toLowerCase());
    if (same !== undefined) return void (target[i] = same);
    const p = polarity(m, false);
    const k = p === null ? -1 : ds.findIndex((d) => polarity(d, binary01) === p);
    if (k >= 0) target[i] = k;
    else unmapped.push(m);
  });
  if (unmapped.length > 0) {
    throw new Error(
      `cannot map the model's label(s) ${unmapped.join(", ")} onto the dataset's labels. Model labels: ${modelLabels.join(", ")}; dataset labels: ${ds.join(", ")} ` +
        `(hint: --label-map ${modelLabels.map((m, i) => `${m}=${ds[Math.min(i, ds.length - 1)]}`).join(",")}; use MODEL_LABEL=- to ignore a label)`,
    );
  }
  if (![...target].some((t) => t >= 0)) throw new Error(`label map: every model label is ignored (model labels: ${modelLabels.join(", ")})`);
  const notes: string[] = [];
  const never = ds.filter((_, k) => !target.includes(k));
  if (never.length > 0) notes.push(`the model never predicts the dataset label(s) ${never.join(", ")}: no model label maps to them`);
  const description = modelLabels.map((m, i) => `${m}→${target[i]! >= 0 ? ds[target[i]!] : "(ignored)"}`).join(", ");
  return { modelLabels: [...modelLabels], datasetLabels: ds, target, description, notes };
}

/** Model probabilities [N, M] → dataset probabilities [N, K] under a mapping (summed, renormalised). */
export function toDatasetProbs(probs: Float32Array, mapping: LabelMapping): Float32Array {
  const M = mapping.modelLabels.length;
  const K = mapping.datasetLabels.length;
  if (probs.length % M !== 0) throw new RangeError(`toDatasetProbs: ${probs.length} values are not rows of ${M} model labels`);
  const N = probs.length / M;
  const out = new Float32Array(N * K);
  for (let i = 0; i < N; i++) {
    let z = 0;
    for (let m = 0; m < M; m++) {
      const t = mapping.target[m]!;
      if (t < 0) continue;
      out[i * K + t]! += probs[i * M + m]!;
      z += probs[i * M + m]!;
    }
    if (z > 0) for (let k = 0; k < K; k++) out[i * K + k]! /= z;
  }
  return out;
}
